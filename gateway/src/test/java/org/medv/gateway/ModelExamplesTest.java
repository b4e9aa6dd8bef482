package org.medv.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples directory and the model's name, without Quarkus. */
class ModelExamplesTest {
    @TempDir
    Path dir;

    @Test
    void aMalformedQuestionsFileSuggestsNoneButTheImagesStayListed() throws IOException {
        Path examples = Files.createDirectories(dir.resolve("examples"));
        Files.write(examples.resolve("b.jpeg"), new byte[] {1});
        Files.write(examples.resolve("a.png"), new byte[] {2});
        for (String bad : List.of("{\"image\": \"a.png\", \"question\": \"q\"}", "[{\"image\": \"a.png\"}]",
                "[\"a.png\"]", "[{\"image\": \"a.png\", \"question\": \"q\"", "")) {
            Files.writeString(examples.resolve("examples.json"), bad);
            List<ModelExamples.Example> list = ModelExamples.list(dir);
            assertEquals(List.of("a.png", "b.jpeg"), list.stream().map(ModelExamples.Example::name).toList(), bad);
            assertTrue(list.stream().allMatch(e -> e.questions().isEmpty()), bad);
        }
        assertEquals("image/jpeg", ModelExamples.find(dir, "b.jpeg").orElseThrow().contentType());
        assertTrue(ModelExamples.find(dir, "../examples/a.png").isEmpty());
    }

    @Test
    void noExamplesDirectoryListsNone() {
        assertEquals(List.of(), ModelExamples.list(dir));
        assertTrue(ModelExamples.find(dir, "a.png").isEmpty());
    }

    @Test
    void theNameIsTheDirectoryOrTheHuggingFaceRepository() {
        assertEquals("demo", ModelResource.name(Path.of("models/demo")));
        assertEquals("demo", ModelResource.name(Path.of("models/demo/")));
        assertEquals("XZDong123/LLaDA-MedV", ModelResource.name(
                Path.of("/root/.cache/huggingface/hub/models--XZDong123--LLaDA-MedV/snapshots/0123abc")));
    }
}
