package org.medv.cli;

import org.medv.eval.io.DataFileException;
import org.medv.eval.vqa.ClosedRule;
import org.medv.eval.vqa.OfflineScorer;
import org.medv.eval.vqa.VqaSummary;
import org.medv.model.InvalidRequestException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code medv eval score}: a LLaVA-Med-format test file and a prediction JSONL to the VQA metrics LLaVA-Med v1.0.0
 * prints (closed accuracy; open recall, precision, F1, exact match), in percent.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "VQA metrics of a prediction file, computed as LLaVA-Med v1.0.0's run_eval_batch.py does.")
final class EvalScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ground-truth", required = true, paramLabel = "FILE",
            description = "LLaVA-Med-format test JSON (VQA-RAD, SLAKE, PathVQA)")
    Path groundTruth;

    @Option(names = "--predictions", required = true, paramLabel = "FILE",
            description = "prediction JSONL: question_id and text (or answer)")
    Path predictions;

    @Mixin
    OutputFormat output = new OutputFormat();

    @Option(names = "--closed-rule", paramLabel = "substring|yes_no",
            description = "closed hit: substring (run_eval_batch.py, the paper table) or yes_no (run_eval.py); "
                    + "default ${DEFAULT-VALUE}")
    String closedRule = "substring";

    @Override
    public Integer call() {
        boolean json = output.json();
        ClosedRule rule = switch (closedRule.toLowerCase(Locale.ROOT)) {
            case "substring" -> ClosedRule.SUBSTRING;
            case "yes_no" -> ClosedRule.YES_NO;
            default -> throw new InvalidRequestException("closed_rule",
                    "--closed-rule must be substring or yes_no, got " + closedRule);
        };
        VqaSummary summary;
        try {
            summary = OfflineScorer.score(groundTruth, predictions, rule);
        } catch (DataFileException e) {
            String field = predictions.equals(e.file()) ? "predictions" : "ground_truth";
            throw new InvalidRequestException(field, e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            OutputFormat.print(out, summary.toJson());
        } else {
            printTable(out, summary, rule);
            out.flush();
        }
        return 0;
    }

    private static void printTable(PrintWriter out, VqaSummary s, ClosedRule rule) {
        out.printf(Locale.ROOT, "%-22s %9s %10s%n", "metric", "questions", "percent");
        out.printf(Locale.ROOT, "%-22s %9d %10.2f%n", "closed accuracy", s.closedN(), s.closedAccuracy());
        out.printf(Locale.ROOT, "%-22s %9d %10.2f%n", "open recall", s.openN(), s.openRecall());
        out.printf(Locale.ROOT, "%-22s %9d %10.2f%n", "open precision", s.openN(), s.openPrecision());
        out.printf(Locale.ROOT, "%-22s %9d %10.2f%n", "open f1", s.openN(), s.openF1());
        out.printf(Locale.ROOT, "%-22s %9d %10.2f%n", "open exact match", s.openN(), s.openExactMatch());
        out.printf(Locale.ROOT, "(closed rule: %s; the paper table reports closed accuracy and open recall)%n",
                rule.name().toLowerCase(Locale.ROOT));
    }
}
