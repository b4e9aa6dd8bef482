package org.medv.cli;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.config.SpecialTokens;
import org.medv.model.text.PromptBuilder;
import org.medv.model.text.TextTokenizer;
import org.medv.model.text.TokenizerJsonWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --question}: the golden weights with a tokenizer.json written by the project. The question path must give
 * exactly what the same prompt gives as raw ids, and the text output must decode the answer.
 */
class GenerateQuestionCliTest {
    private static final Path SET = GenerateGoldenCliTest.GOLDEN.resolve("tiny-llada-medv");

    @Test
    void questionEqualsItsPromptIds(@TempDir Path model) throws IOException {
        withTokenizer(model);
        String question = "What does the image show?";
        int[] ids;
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            ids = PromptBuilder.llavaLlada(tok, SpecialTokens.load(model)).promptIds(question, 1);
        }
        String image = SET.resolve("image0.png").toString();
        String[] common = {"--model", model.toString(), "--vision-tower", GenerateGoldenCliTest.TOWER.toString(),
            "--image", image, "--gen-length", "8", "--block-length", "8", "--steps", "8", "--format", "json"};
        JsonObject viaQuestion = GenerateGoldenCliTest.medv(concat(new String[] {"generate", "--question", question},
                common)).json();
        JsonObject viaIds = GenerateGoldenCliTest.medv(concat(new String[] {"generate", "--prompt-ids",
            Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","))}, common)).json();
        assertEquals(viaIds.get("output_ids"), viaQuestion.get("output_ids"));
        assertTrue(viaQuestion.has("text"), viaQuestion.toString());
        assertEquals(1, Arrays.stream(ids).filter(i -> i == -200).count());
    }

    @Test
    void textFormatShowsDraftsWithPlaceholdersThenTheAnswer(@TempDir Path model) throws IOException {
        withTokenizer(model);
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("generate", "--model", model.toString(),
                "--question", "Is there a lesion?", "--image", SET.resolve("image0.png").toString(), "--vision-tower",
                GenerateGoldenCliTest.TOWER.toString(), "--gen-length", "8", "--block-length", "8", "--steps", "4",
                "--trace");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("step 1: ") && lines[0].contains("\u2591"), r.out());
        assertTrue(lines.length >= 2, r.out());
    }

    /** The golden model's files plus a tokenizer.json that holds LLaDA's special tokens at their real ids. */
    private static void withTokenizer(Path model) throws IOException {
        try (var files = Files.list(SET.resolve("model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        TokenizerJsonWriter.lladaTest().write(model);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
