package org.medv.evaluator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.medv.testkit.FakeJudgeServer;
import org.medv.testkit.FakeJudgeServer.Reply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The testkit's fake OpenAI-compatible judge, configured as the evaluator's judge with one retry. It scores every
 * candidate answer "8 6", except a candidate that starts with {@value #MALFORMED}, for which it always replies with
 * a first line that is not two scores.
 */
public class FakeJudgeResource implements QuarkusTestResourceLifecycleManager {
    static final String MALFORMED = "GARBLE";

    private FakeJudgeServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = new FakeJudgeServer().otherwise(candidate -> Reply.completion(candidate.startsWith(MALFORMED)
                    ? "Both assistants did well.\n8 6" : "8 6\nAssistant 2 names the finding but not its location."));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("medv.evaluator.judge.base-url", server.baseUrl(), "medv.evaluator.judge.max-retries", "1",
                "medv.evaluator.judge.api-key", "test-key");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
