package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.medv.eval.Labels;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code medv eval run}: every question of a benchmark through the gateway's gRPC API with its evaluation labels,
 * then the evaluator's report. Re-running the same run id skips the questions the evaluator has already scored.
 * Sampler flags left out are not sent, so the served model's defaults apply (the answer records say which ran, and
 * the report names their decoding mode).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Evaluate a running medv on VQA-RAD, SLAKE, PathVQA or the LLaVA-Med conversation benchmark.")
final class EvalRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", required = true, description = EvalDatasets.NAMES_HELP)
    String dataset;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the dataset directory")
    Path data;

    @Option(names = "--limit", description = "only the first N questions")
    int limit = Integer.MAX_VALUE;

    @Option(names = "--run-id", description = "run id (default: the dataset and the length and decoding flags "
            + "given, e.g. vqa-rad-gen64-block64-steps64-cachedual, or DATASET-model-defaults without any)")
    String runId;

    @Option(names = "--host", description = "gateway host (default ${DEFAULT-VALUE})")
    String host = "localhost";

    @Option(names = "--port", description = "gateway gRPC port (default ${DEFAULT-VALUE})")
    int port = 9000;

    @Option(names = "--evaluator", description = "evaluator URL (default ${DEFAULT-VALUE})")
    String evaluator = "http://localhost:8103";

    @Option(names = "--wait", description = "how long to wait for the evaluator's scores (default ${DEFAULT-VALUE})")
    Duration waitFor = Duration.ofMinutes(5);

    @Mixin
    GenerationFlags flags = new GenerationFlags();

    @Mixin
    OutputFormat output = new OutputFormat();

    @Mixin
    Progress.Flag progressFlag = new Progress.Flag();

    @Override
    public Integer call() throws Exception {
        boolean json = output.json();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // flags not given are the served model's defaults: the label names only the ones given
        String given = flags.settingsLabel();
        String settings = given != null ? given : "model-defaults";
        String run = runId != null ? runId : dataset + "-" + settings.replace(",", "-").replace("=", "");
        org.medv.proto.v1.GenerationOptions options = flags.toProto(); // bad flags fail before anything is sent
        List<EvalDatasets.Question> questions = EvalDatasets.load(dataset, data);
        questions = questions.subList(0, Math.min(limit, questions.size()));
        Set<String> done = scored(run);
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        int skipped = (int) questions.stream().filter(q -> done.contains(q.id())).count();
        Progress progress = progressFlag.start(err, run + (skipped > 0 ? " (" + skipped + " already scored)" : ""),
                questions.size() - skipped, "questions");
        try {
            for (EvalDatasets.Question q : questions) {
                if (done.contains(q.id())) {
                    continue;
                }
                AskRequest.Builder req = AskRequest.newBuilder().setQuestion(q.question())
                        .setOptions(options)
                        .setMetadata(ClientMetadata.newBuilder().setCorrelationId(run + "/" + q.id())
                                .putAllLabels(q.labels()).putLabels(Labels.RUN_ID, run)
                                .putLabels(Labels.DATASET, dataset).putLabels(Labels.QUESTION_ID, q.id())
                                .putLabels(Labels.SETTINGS, settings));
                if (q.image() != null) {
                    req.setImage(ByteString.copyFrom(Files.readAllBytes(q.image())));
                }
                askWithRetry(channel, req.build());
                progress.advance();
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            progress.close();
        }
        awaitScored(run, questions.size());
        if (json) {
            OutputFormat.print(out, JsonParser.parseString(get("/runs/" + run + "/report")).getAsJsonObject());
        } else {
            out.println(get("/runs/" + run + "/report.md"));
            out.flush();
        }
        return 0;
    }

    /** A full queue is back-pressure, not an error: wait and send again. */
    private static void askWithRetry(ManagedChannel channel, AskRequest req) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                AssistantGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.MINUTES).askOnce(req);
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.RESOURCE_EXHAUSTED || attempt > 100) {
                    throw e;
                }
                Thread.sleep(Math.min(5000, 200L << Math.min(attempt, 5)));
            }
        }
    }

    private Set<String> scored(String run) throws IOException, InterruptedException {
        Set<String> ids = new HashSet<>();
        HttpResponse<String> r = http("/runs/" + run + "/results.jsonl");
        if (r.statusCode() == 200) {
            for (String line : r.body().split("\n")) {
                if (!line.isBlank()) {
                    ids.add(JsonParser.parseString(line).getAsJsonObject().get("questionId").getAsString());
                }
            }
        }
        return ids;
    }

    /**
     * Polls the evaluator until it has scored {@code total} answers of the run. An evaluator that cannot be reached
     * for a while (restarting under {@code ./medv up}'s supervisor) is waited for within the same limit.
     */
    private void awaitScored(String run, int total) throws IOException, InterruptedException {
        long end = System.nanoTime() + waitFor.toNanos();
        IOException unreachable = null;
        while (System.nanoTime() < end) {
            HttpResponse<String> r;
            try {
                r = http("/runs");
                unreachable = null;
            } catch (IOException e) {
                unreachable = e;
                Thread.sleep(250);
                continue;
            }
            if (r.statusCode() == 200) {
                JsonArray runs = JsonParser.parseString(r.body()).getAsJsonArray();
                for (var e : runs) {
                    var o = e.getAsJsonObject();
                    if (o.get("run_id").getAsString().equals(run) && o.get("questions").getAsInt() >= total) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the evaluator at " + evaluator + " did not score all " + total
                + " answers of run " + run + " within " + waitFor.toSeconds() + " s"
                + (unreachable != null ? " (unreachable: " + unreachable + ")" : ""));
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http(path);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + evaluator + path + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> http(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(evaluator + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
