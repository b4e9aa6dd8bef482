package org.medv.model.vision;

import org.medv.model.ModelLoadException;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the SigLIP tower's config (and a stand-alone tower directory, when there is one) for a multimodal model, in
 * this order:
 * <ol>
 *   <li>the directory the caller names ({@code --vision-tower});</li>
 *   <li>{@code vision_config} embedded in the model's config.json;</li>
 *   <li>{@code mm_vision_tower} when it is a local directory (absolute, or relative to the model directory);</li>
 *   <li>a {@code vision_tower/} directory inside or next to the model directory;</li>
 *   <li>{@code mm_vision_tower} in a Hugging Face hub cache the caller names (as {@code huggingface-cli download}
 *   leaves it);</li>
 *   <li>the tower tensors in the checkpoint itself, for SigLIP widths whose head count is known.</li>
 * </ol>
 */
public final class VisionTowerLocator {
    /** Heads of the published SigLIP / SigLIP2 towers by width (so400m: 1152 = 16 x 72). */
    private static final Map<Integer, Integer> KNOWN_HEADS = Map.of(768, 12, 1024, 16, 1152, 16, 1536, 16);

    /** The tower's config and, when one was found, the stand-alone directory it came from. */
    public record Located(SiglipVisionConfig config, Path directory, String source) {
    }

    private VisionTowerLocator() {
    }

    public static Located locate(ModelConfig cfg, Path explicit, List<Path> hubCaches, Checkpoint ckpt) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit.resolve("config.json"))) {
                throw new ModelLoadException("vision tower directory " + explicit + " has no config.json");
            }
            return new Located(SiglipVisionConfig.load(explicit), explicit, "--vision-tower");
        }
        if (cfg.embeddedVision() != null) {
            return new Located(cfg.embeddedVision(), null, "vision_config in config.json");
        }
        Path model = cfg.directory();
        String name = cfg.llava().mmVisionTower();
        Optional<Path> dir = Stream.of(
                        name.isEmpty() ? null : model.resolve(name),
                        model.resolve("vision_tower"),
                        model.toAbsolutePath().getParent() == null ? null
                                : model.toAbsolutePath().getParent().resolve("vision_tower"))
                .filter(p -> p != null && Files.isRegularFile(p.resolve("config.json")))
                .findFirst()
                .or(() -> hubSnapshot(name, hubCaches));
        if (dir.isPresent()) {
            return new Located(SiglipVisionConfig.load(dir.get()), dir.get(), dir.get().toString());
        }
        SiglipVisionConfig inferred = fromTensors(ckpt);
        if (inferred != null) {
            return new Located(inferred, null, "tensor shapes in the checkpoint");
        }
        throw new ModelLoadException("cannot find the vision tower config of " + model + " (mm_vision_tower \"" + name
                + "\"): pass --vision-tower DIR (a SigLIP directory with config.json), add vision_config to "
                + "config.json, or put the tower in " + model.resolve("vision_tower"));
    }

    /** {@code <cache>/models--org--name/snapshots/<rev>/config.json}, newest revision first. */
    private static Optional<Path> hubSnapshot(String name, List<Path> caches) {
        if (name.isEmpty() || !name.contains("/")) {
            return Optional.empty();
        }
        String folder = "models--" + name.replace("/", "--");
        for (Path cache : caches) {
            Path snaps = cache.resolve(folder).resolve("snapshots");
            if (!Files.isDirectory(snaps)) {
                continue;
            }
            try (Stream<Path> s = Files.list(snaps)) {
                Optional<Path> found = s.filter(p -> Files.isRegularFile(p.resolve("config.json")))
                        .max(Comparator.comparing(p -> p.toFile().lastModified()));
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                throw new ModelLoadException("cannot list " + snaps + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /** Shapes give every size but the head count, which is known for the published SigLIP widths. */
    private static SiglipVisionConfig fromTensors(Checkpoint ckpt) {
        String p = SiglipWeights.prefixIn(ckpt);
        if (p == null) {
            return null;
        }
        long[] patch = ckpt.info(p + "embeddings.patch_embedding.weight").shape();
        int hidden = (int) patch[0];
        Integer heads = KNOWN_HEADS.get(hidden);
        if (heads == null) {
            return null;
        }
        long positions = ckpt.info(p + "embeddings.position_embedding.weight").shape()[0];
        int side = (int) Math.round(Math.sqrt(positions));
        Map<String, TensorInfo> layers = ckpt.withPrefix(p + "encoder.layers.");
        int stored = (int) layers.keySet().stream().filter(k -> k.endsWith(".self_attn.q_proj.weight")).count();
        int ff = (int) ckpt.info(p + "encoder.layers.0.mlp.fc1.weight").shape()[0];
        // a combined LLaVA checkpoint stores the tower with its last layer already deleted
        int total = p.equals(SiglipWeights.COMBINED_PREFIX) ? stored + 1 : stored;
        return new SiglipVisionConfig(hidden, ff, total, heads, side * (int) patch[2], (int) patch[2], (int) patch[1],
                "gelu_pytorch_tanh", 1e-6);
    }
}
