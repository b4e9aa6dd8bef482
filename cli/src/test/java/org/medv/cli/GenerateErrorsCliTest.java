package org.medv.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is a clear message on stderr and a distinct exit code, never a stack trace or a hang. */
class GenerateErrorsCliTest {
    private static final String MODEL = GenerateGoldenCliTest.GOLDEN.resolve("tiny-llada-medv/model").toString();

    private static void invalid(String field, String fragment, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "generate";
        args[1] = "--model";
        args[2] = MODEL;
        args[3] = "--forbid-ids=none";
        System.arraycopy(extra, 0, args, 4, extra.length);
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv(args);
        assertEquals(Main.EXIT_INVALID, r.code(), r.err());
        assertTrue(r.err().contains("invalid " + field), r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertEquals("", r.out());
    }

    @Test
    void invalidLengthBlockStepCombinations() {
        invalid("block_length", "gen_length=20 must be a multiple of block_length=8", "--prompt-ids", "1,2",
                "--gen-length", "20", "--block-length", "8", "--steps", "8");
        invalid("steps", "steps=7", "--prompt-ids", "1,2", "--gen-length", "16", "--block-length", "8", "--steps",
                "7");
        invalid("gen_length", "gen_length must be positive", "--prompt-ids", "1,2", "--gen-length", "0");
    }

    @Test
    void unknownOptionValuesAndIds() {
        invalid("remasking", "low_confidence or random", "--prompt-ids", "1,2", "--remasking", "sometimes");
        invalid("prompt_ids", "must hold integers", "--prompt-ids", "1,x");
        invalid("prompt_ids", "outside the vocabulary", "--prompt-ids", "1,999999", "--gen-length", "4",
                "--block-length", "4", "--steps", "4");
        invalid("stop_ids", "stop token id", "--prompt-ids", "1,2", "--stop-ids", "126336", "--gen-length", "4",
                "--block-length", "4", "--steps", "4");
        invalid("temperature", "temperature", "--prompt-ids", "1,2", "--temperature", "-1");
    }

    @Test
    void promptPlusAnswerBeyondThePositions() {
        invalid("gen_length", "more than the model's 512 positions", "--prompt-ids", "1,2", "--gen-length", "512",
                "--block-length", "512", "--steps", "512");
    }

    @Test
    void imageProblems() {
        invalid("image", "does not exist", "--prompt-ids", "1,-200", "--image", "/nonexistent.png");
        invalid("image", "placeholder", "--prompt-ids", "1,2", "--image",
                GenerateGoldenCliTest.GOLDEN.resolve("tiny-llada-medv/image0.png").toString(), "--vision-tower",
                GenerateGoldenCliTest.TOWER.toString(), "--gen-length", "4", "--block-length", "4", "--steps", "4");
    }

    @Test
    void questionWithoutTokenizer() {
        invalid("question", "no tokenizer.json", "--question", "What is shown?", "--gen-length", "4",
                "--block-length", "4", "--steps", "4");
    }

    @Test
    void missingModelDirectory() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("generate", "--model",
                Path.of("/nonexistent-model").toString(), "--prompt-ids", "1");
        assertEquals(Main.EXIT_MODEL, r.code(), r.err());
        assertTrue(r.err().contains("/nonexistent-model"), r.err());
    }
}
