package org.medv.evaluator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** {@code medv.evaluator.*}: topics, consumer group, scoring rules and the LLM judge. */
@ConfigMapping(prefix = "medv.evaluator")
public interface EvaluatorConfig {
    /** Where the answers come from. */
    @WithDefault("medv.answers")
    String answersTopic();

    /** Where scores go: keyed by run and question, compacted, the source a restart rebuilds reports from. */
    @WithDefault("medv.scores")
    String scoresTopic();

    @WithDefault("medv-evaluator")
    String groupId();

    @WithDefault("3")
    int scoresPartitions();

    /** Replication factor of the scores topic when the evaluator creates it (3 on a production cluster). */
    @WithDefault("1")
    short scoresReplicationFactor();

    /** Answers taken per poll: the most the evaluator scores (and the judge reviews) before it commits. */
    @WithDefault("32")
    int maxPollRecords();

    /** The liveness check turns DOWN when the consumer loop has not moved for this long (stuck). */
    @WithDefault("PT5M")
    Duration livenessTimeout();

    /** substring (run_eval_batch.py, the paper's tables) or yes_no (run_eval.py). */
    @WithDefault("substring")
    String closedRule();

    /** n of the repeated n-grams in the repetition measure. */
    @WithDefault("3")
    int repetitionN();

    Judge judge();

    /** An OpenAI-compatible chat-completions endpoint for the conversation benchmark. */
    interface Judge {
        /** e.g. https://api.openai.com/v1; without it, judge-scored questions are recorded with an error. */
        Optional<String> baseUrl();

        @WithDefault("gpt-4.1-mini")
        String model();

        Optional<String> apiKey();

        /** A rubric file (LLaVA-Med's rule for paper-comparable numbers); default: medv's own rubric. */
        Optional<String> rubricFile();

        @WithDefault("4")
        int maxConcurrency();

        @WithDefault("5")
        int maxRetries();

        @WithDefault("PT60S")
        Duration timeout();
    }
}
