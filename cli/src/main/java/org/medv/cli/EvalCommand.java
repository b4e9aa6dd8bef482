package org.medv.cli;

import picocli.CommandLine.Command;

/** {@code medv eval ...}: score model answers as the papers' evaluation scripts do. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Score answers against benchmark ground truth.",
        subcommands = {EvalScoreCommand.class})
final class EvalCommand {
}
