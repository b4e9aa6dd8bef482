package org.medv.model;

import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.ModelConfigTest;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import java.io.ByteArrayOutputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project-made demo model loads through the real path and answers a question about an image, deterministically. */
class DemoModelTest {

    @Test
    void answersAQuestionAboutAnImage(@TempDir Path dir) throws Exception {
        DemoModel.write(dir, 7);
        assertTrue(DemoModel.present(dir));
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        img.setRGB(5, 5, 0xFFFFFF);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        GenerationOptions o = new GenerationOptions(16, 8, 8, 0, 0, 0, Remasking.LOW_CONFIDENCE, null, null);
        try (MedvModel model = MedvModel.load(LoadOptions.of(dir, null))) {
            assertTrue(model.hasVision());
            assertNotNull(model.tokenizer());
            assertEquals(model.tokenizer().encode("<|mdm_mask|>")[0], model.tokens().mask());
            int[] prompt = model.prompts().promptIds("Is there a lesion?", 1);
            ModelConfigTest.withSystemPrompt(dir, "");
            try (MedvModel without = MedvModel.load(LoadOptions.of(dir, null))) {
                // the model's prompts follow its config: no system turn, the BOS on the user turn
                int[] bare = without.prompts().promptIds("Is there a lesion?", 1);
                assertTrue(bare.length < prompt.length);
                assertEquals(model.tokens().bos(), bare[0]);
                assertArrayEquals(Arrays.copyOfRange(prompt, prompt.length - 8, prompt.length),
                        Arrays.copyOfRange(bare, bare.length - 8, bare.length));
            }
            ModelConfigTest.withKey(dir, ModelConfig.KEEP_IMAGE_NEWLINE_KEY, new JsonPrimitive(true));
            try (MedvModel keeping = MedvModel.load(LoadOptions.of(dir, null))) {
                // upstream inference drops the "\n" after <image>; a model that declares so keeps it
                int[] kept = keeping.prompts().promptIds("Is there a lesion?", 1);
                int image = Arrays.stream(kept).boxed().toList().indexOf(-200);
                assertEquals(keeping.tokenizer().encode("\n")[0], kept[image + 1]);
                // another system message (medv generate --system-prompt) keeps the model's image form
                int[] other = keeping.prompts().withSystemPrompt("Be brief.").promptIds("Is there a lesion?", 1);
                int otherImage = Arrays.stream(other).boxed().toList().indexOf(-200);
                assertEquals(keeping.tokenizer().encode("\n")[0], other[otherImage + 1]);
                assertEquals("Be brief.", keeping.prompts().withSystemPrompt("Be brief.").systemPrompt());
                assertFalse(model.config().keepImageNewline());
            }
            GenerationResult a = model.generate(prompt, List.of(png.toByteArray()), o, e -> { });
            GenerationResult b = model.generate(prompt, List.of(png.toByteArray()), o, e -> { });
            assertArrayEquals(a.outputIds(), b.outputIds());
            assertNotNull(model.decode(a.outputIds()));
        }
    }
}
