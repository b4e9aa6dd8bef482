package org.medv.cli;

import picocli.CommandLine.Command;

/** {@code medv data ...}: datasets medv makes itself. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Make datasets for offline training and evaluation.",
        subcommands = {DataSynthCommand.class})
final class DataCommand {
}
