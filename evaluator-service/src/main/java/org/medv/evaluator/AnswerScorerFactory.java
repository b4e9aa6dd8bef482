package org.medv.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.medv.eval.judge.JudgeClient;
import org.medv.eval.judge.JudgeConfig;
import org.medv.eval.vqa.ClosedRule;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** Builds the scorer from configuration: closed-question rule, repetition n-gram, judge endpoint. */
@ApplicationScoped
public class AnswerScorerFactory {
    @Inject
    EvaluatorConfig config;

    AnswerScorer create() {
        ClosedRule rule = ClosedRule.valueOf(config.closedRule().trim().toUpperCase(Locale.ROOT));
        AnswerScorer.Judge judge;
        if (config.judge().baseUrl().isPresent()) {
            JudgeClient client = JudgeClientFactory.create(config.judge());
            judge = client::review;
        } else {
            judge = (item, answer) -> CompletableFuture.failedFuture(new IllegalStateException(
                    "no judge configured (set medv.evaluator.judge.base-url)"));
        }
        return new AnswerScorer(rule, config.repetitionN(), judge);
    }
}
