package org.medv.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each side of the demo model loads alone, as the services hold it, and computes what the whole model does. */
class ModelSidesTest {
    private static final GenerationOptions OPTIONS = new GenerationOptions(16, 8, 8, 0, 0, 0,
            Remasking.LOW_CONFIDENCE, null, null);

    @Test
    void sidesLoadedAloneAnswerAsTheWholeModel(@TempDir Path dir) throws IOException {
        DemoModel.write(dir, 7);
        byte[] png = png();
        LoadOptions o = LoadOptions.of(dir, null);
        try (MedvModel whole = MedvModel.load(o); TextSide text = TextSide.load(dir);
             VisionSide vision = VisionSide.load(o); LanguageSide language = LanguageSide.load(o)) {
            int[] prompt = text.prompts().promptIds("Is there a lesion?", 1);
            assertArrayEquals(whole.prompts().promptIds("Is there a lesion?", 1), prompt);
            ImageEmbedding rows = vision.encodeImage(png);
            assertArrayEquals(whole.vision().encodeImage(png).data(), rows.data(), 0f);
            GenerationResult expected = whole.generate(prompt, List.of(png), OPTIONS, e -> { });
            GenerationResult served = language.generateFromRows(prompt, List.of(rows), OPTIONS, e -> { });
            assertArrayEquals(expected.outputIds(), served.outputIds());
            assertEquals(whole.decode(expected.outputIds()), text.decode(served.outputIds()));
        }
    }

    @Test
    void theTextSideNeedsNoCheckpoint(@TempDir Path dir) throws IOException {
        DemoModel.write(dir, 7);
        Files.delete(dir.resolve("model.safetensors"));
        try (TextSide text = TextSide.load(dir)) {
            assertNotNull(text.tokenizer());
            int max = text.config().llm().maxPositionEmbeddings();
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> text.validate(10,
                    new GenerationOptions(max, max, 1, 0, 0, 0, Remasking.LOW_CONFIDENCE, null, null)));
            assertEquals("gen_length", e.field());
        }
        assertThrows(ModelLoadException.class, () -> LanguageSide.load(LoadOptions.of(dir, null)));
    }

    @Test
    void aTowerNotFoundLeavesTheWholeModelTextOnlyAndFailsTheVisionSide(@TempDir Path parent) throws IOException {
        Path dir = DemoModel.write(parent.resolve("demo"), 7);
        JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        cfg.remove("vision_config");
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        LoadOptions o = LoadOptions.of(dir, null);
        ModelLoadException refused = assertThrows(ModelLoadException.class, () -> VisionSide.load(o));
        assertTrue(refused.getMessage().startsWith("cannot find the vision tower config"), refused.getMessage());
        try (MedvModel whole = MedvModel.load(o)) {
            assertFalse(whole.hasVision());
            int[] text = whole.prompts().promptIds("Is there a lesion?", 0);
            assertEquals(16, whole.generate(text, List.of(), OPTIONS, e -> { }).finalIds().length);
            ModelLoadException image = assertThrows(ModelLoadException.class,
                    () -> whole.generate(whole.prompts().promptIds("Is there a lesion?", 1), List.of(png()), OPTIONS,
                            e -> { }));
            assertEquals(refused.getMessage(), image.getMessage());
        }
    }

    private static byte[] png() throws IOException {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        img.setRGB(5, 5, 0xFFFFFF);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
