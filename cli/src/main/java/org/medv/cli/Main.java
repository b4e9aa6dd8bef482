package org.medv.cli;

import org.medv.model.InvalidRequestException;
import org.medv.model.ModelLoadException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code medv} command line. Results go to stdout, logs and errors to stderr. */
@Command(name = "medv", mixinStandardHelpOptions = true, version = "medv 0.1.0",
        description = "Serve and study LLaDA-MedV, a masked-diffusion vision-language model for biomedical images.",
        subcommands = {GenerateCommand.class, BenchCommand.class, UpCommand.class, AskCommand.class,
            EvalCommand.class, DataCommand.class, TrainCommand.class, DoctorCommand.class, CompletionCommand.class})
public final class Main {
    /** Exit code for a request the model cannot serve as given (bad option, image, prompt). */
    static final int EXIT_INVALID = 2;
    /** Exit code for a model directory that cannot be loaded. */
    static final int EXIT_MODEL = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The command tree (the README test and the completion test walk it). */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs with the given streams (tests capture stdout and stderr this way). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InvalidRequestException e) {
                cmd.getErr().println("medv: invalid " + e.field() + ": " + e.getMessage());
                return EXIT_INVALID;
            }
            if (ex instanceof ModelLoadException e) {
                cmd.getErr().println("medv: cannot load model: " + e.getMessage());
                return EXIT_MODEL;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
