package org.medv.evaluator;

import org.medv.eval.judge.JudgeClient;
import org.medv.eval.judge.JudgeConfig;
import org.medv.eval.judge.Rubric;

import java.nio.file.Path;
import java.time.Duration;

/** The judge client from {@code medv.evaluator.judge.*}. */
final class JudgeClientFactory {
    private JudgeClientFactory() {
    }

    static JudgeClient create(EvaluatorConfig.Judge j) {
        String rubric = j.rubricFile().map(f -> Rubric.fromFile(Path.of(f))).orElseGet(Rubric::defaultText);
        JudgeConfig cfg = new JudgeConfig(j.baseUrl().orElseThrow(), j.model(), j.apiKey().orElse(""), 0.0,
                j.maxConcurrency(), j.maxRetries(), Duration.ofSeconds(1), j.timeout(), rubric);
        return new JudgeClient(cfg);
    }
}
