package org.medv.model.config;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.text.PromptBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The system message a model directory declares: upstream's by default, medv's {@code system_prompt} key else. */
public class ModelConfigTest {

    @Test
    void systemPromptIsUpstreamsUnlessTheConfigDeclaresOne(@TempDir Path dir) throws Exception {
        DemoModel.write(dir, 1);
        assertEquals(PromptBuilder.LLAVA_LLADA_SYSTEM_PROMPT, ModelConfig.load(dir).systemPrompt());

        withSystemPrompt(dir, "Answer briefly.");
        assertEquals("Answer briefly.", ModelConfig.load(dir).systemPrompt());

        withSystemPrompt(dir, "");
        assertNull(ModelConfig.load(dir).systemPrompt(), "an empty system_prompt means no system message");
    }

    /** Sets {@code system_prompt} in the directory's config.json. */
    public static void withSystemPrompt(Path dir, String value) throws Exception {
        withKey(dir, ModelConfig.SYSTEM_PROMPT_KEY, new JsonPrimitive(value));
    }

    /** Sets {@code key} in the directory's config.json. */
    public static void withKey(Path dir, String key, JsonPrimitive value) throws Exception {
        Path file = dir.resolve("config.json");
        JsonObject cfg = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        cfg.add(key, value);
        Files.writeString(file, cfg.toString());
    }
}
