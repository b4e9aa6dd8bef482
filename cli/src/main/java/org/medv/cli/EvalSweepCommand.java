package org.medv.cli;

import org.medv.eval.report.Charts;
import org.medv.eval.report.RunReport;
import org.medv.eval.report.SweepRow;
import org.medv.eval.report.SweepTable;
import org.medv.eval.vqa.VqaSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code medv eval sweep}: one benchmark over a grid of generation settings (the paper's Table 5): a table of score,
 * time per answer and repetition per setting, and a PNG plot. The score is the overall relative judge score for the
 * conversation benchmark and, for VQA sets, the mean of closed accuracy and open recall.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a benchmark over a grid of gen_length / block_length / steps and decoding-mode settings.")
final class EvalSweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", required = true, description = EvalDatasets.NAMES_HELP)
    String dataset;

    @Option(names = "--data", required = true, paramLabel = "DIR")
    Path data;

    @Option(names = "--grid", arity = "1..*", required = true, paramLabel = "KEY=V1,V2",
            description = "gen=64,128,256 block=32,64 steps=64,128 (steps=gen: as many steps as tokens), and "
                    + "optionally cache=none,prefix,dual threshold=0,0.9 refresh=0,8")
    List<String> grid;

    @Option(names = "--limit", description = "only the first N questions")
    int limit = Integer.MAX_VALUE;

    @Option(names = "--run-prefix", description = "run ids are PREFIX-gGbBsS[-cCACHE][-tT][-rN] (default: the dataset)")
    String prefix;

    @Option(names = "--out", paramLabel = "DIR", description = "where the table and plot go (default .run/sweeps)")
    Path out;

    @Option(names = "--port", description = "gateway gRPC port (default ${DEFAULT-VALUE})")
    int port = 9000;

    @Option(names = "--evaluator", description = "evaluator URL (default ${DEFAULT-VALUE})")
    String evaluator = "http://localhost:8103";

    @Override
    public Integer call() throws Exception {
        List<SweepGrid.Point> points = SweepGrid.parse(grid);
        String base = prefix != null ? prefix : dataset;
        List<SweepRow> rows = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (SweepGrid.Point p : points) {
            if (!p.valid()) {
                err.printf("skipping %s (invalid combination)%n", p);
                continue;
            }
            String run = p.runId(base);
            err.printf("%s: %s%n", run, p);
            err.flush();
            runOne(run, p.flags());
            RunReport report = RunReport.fromJson(get("/runs/" + run + "/report"));
            rows.add(SweepRow.fromReport(report, score(report)));
        }
        String table = SweepTable.render(rows);
        Path dir = out != null ? out : Launcher.repoRoot().resolve(".run/sweeps");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(base + "-sweep.md"), table);
        Files.write(dir.resolve(base + "-sweep.png"), Charts.sweepPng(rows));
        PrintWriter o = spec.commandLine().getOut();
        o.println(table);
        o.println("table and plot: " + dir.resolve(base + "-sweep.md") + ", " + dir.resolve(base + "-sweep.png"));
        o.flush();
        return 0;
    }

    private void runOne(String run, List<String> settingFlags) {
        StringWriter o = new StringWriter();
        CommandLine cl = new CommandLine(new EvalRunCommand());
        cl.setOut(new PrintWriter(o));
        cl.setErr(spec.commandLine().getErr());
        List<String> args = new ArrayList<>(List.of("--dataset", dataset, "--data", data.toString(), "--run-id", run,
                "--port", Integer.toString(port), "--evaluator", evaluator));
        args.addAll(settingFlags);
        if (limit != Integer.MAX_VALUE) {
            args.addAll(List.of("--limit", Integer.toString(limit)));
        }
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            throw ex;
        });
        int code = cl.execute(args.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("run " + run + " failed with exit code " + code);
        }
    }

    private double score(RunReport r) {
        if (r.judge() != null && r.judge().all() != null) {
            return r.judge().all().relative();
        }
        VqaSummary v = r.vqa().get(dataset);
        if (v == null) {
            throw new IllegalStateException("run " + r.runId() + " has no scores for dataset " + dataset);
        }
        if (v.closedN() > 0 && v.openN() > 0) {
            return (v.closedAccuracy() + v.openRecall()) / 2;
        }
        return v.closedN() > 0 ? v.closedAccuracy() : v.openRecall();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(evaluator + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + evaluator + path + ": HTTP " + r.statusCode());
        }
        return r.body();
    }
}
