package org.medv.cli;

import org.medv.data.QuestionGenerator;
import org.medv.data.SyntheticDataset;
import org.medv.data.SyntheticScans;
import org.medv.model.InvalidRequestException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code medv data synth}: the synthetic scan VQA set of libs/data (images, LLaVA train.json, LLaVA-Med test.json,
 * metadata.json, README.md), the same bytes for the same arguments. {@code medv eval} reads the test split as it
 * reads VQA-RAD.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a synthetic scan VQA dataset (train.json, test.json, images/) for offline runs.")
final class DataSynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (created if missing)")
    Path out;

    @Option(names = "--train", paramLabel = "N", description = "training images (default ${DEFAULT-VALUE})")
    int train = 1000;

    @Option(names = "--test", paramLabel = "N", description = "test images (default ${DEFAULT-VALUE}), "
            + QuestionGenerator.PER_SCAN + " test questions each")
    int test = 200;

    @Option(names = "--seed", paramLabel = "S", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--size", paramLabel = "PX", description = "image side in pixels, at least 32 (default ${DEFAULT-VALUE})")
    int size = SyntheticScans.DEFAULT_SIZE;

    @Option(names = "--multi-turn", description = "train.json: one conversation per image with all its questions "
            + "(default: one entry per question)")
    boolean multiTurn;

    @Option(names = "--report-copies", paramLabel = "K", description = "write each training image's findings report "
            + "K times in train.json, weighting the long answers (default ${DEFAULT-VALUE}; single-turn only)")
    int reportCopies = 1;

    @Mixin
    Progress.Flag progress = new Progress.Flag();

    @Override
    public Integer call() {
        if (train < 0 || test < 0 || train + test == 0) {
            throw new InvalidRequestException("train", "--train and --test must be >= 0 and not both 0, got "
                    + train + " and " + test);
        }
        if (reportCopies < 1 || reportCopies > 10 || reportCopies > 1 && multiTurn) {
            throw new InvalidRequestException("report-copies", "--report-copies must be in [1, 10], and 1 with "
                    + "--multi-turn, got " + reportCopies + (multiTurn ? " with --multi-turn" : ""));
        }
        if (size < 32) {
            throw new InvalidRequestException("size", "--size must be at least 32, got " + size);
        }
        SyntheticDataset.Summary s;
        try (Progress p = progress.start(spec.commandLine().getErr(), "data synth", train + test, "images")
                .poll(imagesWritten(out.resolve("images"), Instant.now().minusSeconds(1)), 1000)) {
            s = SyntheticDataset.write(out, train, test, seed, size, multiTurn, reportCopies);
        } catch (UncheckedIOException e) {
            throw new InvalidRequestException("out", e.getMessage(), e);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %d train images (%d questions in train.json), %d test images "
                        + "(%d questions in test.json: %d closed, %d open), seed %d, %dx%d px%n",
                s.dir(), s.trainImages(), s.trainQuestions(), s.testImages(), s.testQuestions(), s.testClosed(),
                s.testOpen(), seed, size, size);
        w.flush();
        return 0;
    }

    /**
     * The images written so far, for the progress line: files in {@code images/} modified since the run began
     * (libs/data writes them one at a time; a re-run over the same directory rewrites each).
     */
    private static LongSupplier imagesWritten(Path images, Instant since) {
        FileTime after = FileTime.from(since);
        return () -> {
            try (Stream<Path> files = Files.list(images)) {
                return files.filter(f -> {
                    try {
                        return Files.getLastModifiedTime(f).compareTo(after) >= 0;
                    } catch (IOException e) {
                        return false; // being replaced right now
                    }
                }).count();
            } catch (IOException | UncheckedIOException e) {
                return 0; // not created yet
            }
        };
    }
}
