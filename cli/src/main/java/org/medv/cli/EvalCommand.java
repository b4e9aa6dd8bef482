package org.medv.cli;

import picocli.CommandLine.Command;

/** {@code medv eval ...}: score model answers as the papers' evaluation scripts do. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate medv: run benchmarks through the services, score answers offline.",
        subcommands = {EvalScoreCommand.class, EvalRunCommand.class, EvalSweepCommand.class})
final class EvalCommand {
}
