package org.medv.evaluator;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.medv.eval.QuestionResult;
import org.medv.eval.report.Charts;
import org.medv.eval.report.MarkdownTables;
import org.medv.eval.report.RunReport;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs and their reports: JSON, Markdown in the paper's layout, PNG charts, per-question JSONL. */
@Path("/runs")
public class ReportResource {
    @Inject
    ScoreStore store;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String runs() {
        List<Map<String, Object>> out = store.runs().entrySet().stream()
                .map(e -> Map.<String, Object>of("run_id", e.getKey(), "questions", e.getValue()))
                .toList();
        return ScoreCodec.GSON.toJson(out);
    }

    @GET
    @Path("/{run}/report")
    @Produces(MediaType.APPLICATION_JSON)
    public String report(@PathParam("run") String run) {
        return report0(run).toJson();
    }

    @GET
    @Path("/{run}/report.md")
    @Produces("text/markdown")
    public String markdown(@PathParam("run") String run) {
        return MarkdownTables.render(report0(run));
    }

    @GET
    @Path("/{run}/charts/accuracy.png")
    @Produces("image/png")
    public byte[] accuracyChart(@PathParam("run") String run) {
        return Charts.accuracyPng(report0(run));
    }

    @GET
    @Path("/{run}/charts/judge.png")
    @Produces("image/png")
    public byte[] judgeChart(@PathParam("run") String run) {
        return Charts.judgePng(report0(run));
    }

    @GET
    @Path("/{run}/results.jsonl")
    @Produces("application/x-ndjson")
    public String results(@PathParam("run") String run) {
        return results0(run).stream().map(ScoreCodec.GSON::toJson).collect(Collectors.joining("\n", "", "\n"));
    }

    private RunReport report0(String run) {
        return RunReport.aggregate(run, results0(run));
    }

    private List<QuestionResult> results0(String run) {
        if (!store.has(run)) {
            throw new NotFoundException("no run " + run);
        }
        return store.results(run);
    }
}
