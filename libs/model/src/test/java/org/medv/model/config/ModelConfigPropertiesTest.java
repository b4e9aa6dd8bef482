package org.medv.model.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.ModelLoadException;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * Property-based tests of a model directory's {@code config.json} (QuickTheories, fixed seeds, shrinking on failure):
 * the demo model's config with one key removed, given a value of another type, or a size set to zero or below.
 * Loading either succeeds or fails with a {@link ModelLoadException} that names the key (never a raw
 * NullPointerException, IndexOutOfBounds, ClassCast or NumberFormat); a wrong type or a size below 1 in a key medv
 * reads is always refused, never silently truncated, wrapped or defaulted.
 */
class ModelConfigPropertiesTest {
    /** Sizes that must be at least 1 ({@code vision.} keys are inside {@code vision_config}). */
    private static final List<String> SIZES = List.of("vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "max_position_embeddings",
            "mm_hidden_size", "tokenizer_model_max_length", "vision.hidden_size", "vision.intermediate_size",
            "vision.num_hidden_layers", "vision.num_attention_heads", "vision.image_size", "vision.patch_size",
            "vision.num_channels");
    private static final List<String> NUMBERS = List.of("rms_norm_eps", "rope_theta", "vision.layer_norm_eps");
    private static final List<String> TOKEN_IDS = List.of("bos_token_id", "eos_token_id", "pad_token_id",
            "mask_token_id", "start_header_token_id", "end_header_token_id", "eot_token_id");
    private static final List<String> STRINGS = List.of("mm_projector_type", "mm_vision_tower", "image_aspect_ratio",
            "mm_patch_merge_type", "system_prompt", "vision.hidden_act");
    private static final List<String> BOOLEANS = List.of("tie_word_embeddings", "keep_image_newline");
    private static final Set<String> REQUIRED = Set.of("vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads");
    private static final List<Class<? extends Throwable>> RAW = List.of(NullPointerException.class,
            IndexOutOfBoundsException.class, ClassCastException.class, NumberFormatException.class,
            UnsupportedOperationException.class, IllegalStateException.class, ArithmeticException.class, Error.class);

    @TempDir
    static Path demo;
    private static JsonObject base;

    /** One edited config: the key changed, how, and whether the load must fail. */
    record Case(String key, String what, JsonElement value, boolean mustFail) {
        @Override
        public String toString() {
            return key + ": " + what + " " + value + (mustFail ? " (must be refused)" : "");
        }
    }

    @BeforeAll
    static void demoModel() throws IOException {
        DemoModel.write(demo, 7);
        base = JsonParser.parseString(Files.readString(demo.resolve("config.json"))).getAsJsonObject();
        ModelConfig.load(demo);
    }

    @Test
    void anEditedConfigLoadsOrIsRefusedNamingTheKey() {
        qt().withFixedSeed(307).withExamples(1200).withShrinkCycles(40).forAll(edits()).checkAssert(c -> {
            JsonObject cfg = base.deepCopy();
            JsonObject target = cfg;
            String key = c.key();
            if (key.startsWith("vision.")) {
                target = cfg.getAsJsonObject("vision_config");
                key = key.substring("vision.".length());
            }
            if (c.value() == null) {
                target.remove(key);
            } else {
                target.add(key, c.value());
            }
            write(cfg);
            try {
                ModelConfig.load(demo);
            } catch (ModelLoadException e) {
                assertTrue(e.getMessage().contains(key), e.getMessage() + " for " + c);
                for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                    for (Class<? extends Throwable> raw : RAW) {
                        assertFalse(raw.isInstance(t), "a raw " + t + " under " + e.getMessage() + " for " + c);
                    }
                }
                return;
            }
            assertFalse(c.mustFail(), "loaded: " + c);
        });
    }

    private static Gen<Case> edits() {
        return in -> {
            List<String> all = new java.util.ArrayList<>();
            for (List<String> group : List.of(SIZES, NUMBERS, TOKEN_IDS, STRINGS, BOOLEANS)) {
                all.addAll(group);
            }
            all.addAll(List.of("vision_config", "image_grid_pinpoints"));
            String key = all.get(pick(in, all.size()));
            switch (pick(in, 4)) {
                case 0 -> {
                    return new Case(key, "removed", null, REQUIRED.contains(key));
                }
                case 1 -> {
                    if (SIZES.contains(key)) {
                        long v = in.next(Constraint.between(-1_000_000, 0));
                        return new Case(key, "size", new JsonPrimitive(pick(in, 3) == 0 ? Long.MIN_VALUE : v), true);
                    }
                    if (NUMBERS.contains(key)) {
                        double[] bad = {0, -1e-5, -500000};
                        return new Case(key, "non-positive", new JsonPrimitive(bad[pick(in, bad.length)]), true);
                    }
                    if (TOKEN_IDS.contains(key)) {
                        JsonElement[] bad = {new JsonPrimitive(-1), new JsonArray()};
                        return new Case(key, "bad id", bad[pick(in, bad.length)], true);
                    }
                    if (key.equals("image_grid_pinpoints")) {
                        JsonElement[] bad = {JsonParser.parseString("[]"), JsonParser.parseString("[[384]]"),
                                JsonParser.parseString("[[384, -1]]"), JsonParser.parseString("[384, 768]"),
                                JsonParser.parseString("[[\"a\", \"b\"]]"), new JsonPrimitive("(1x1),...,(x)")};
                        // pad aspect ratio: anyres pinpoints are read all the same, and must be well formed
                        return new Case(key, "malformed", bad[pick(in, bad.length)], true);
                    }
                    return new Case(key, "empty", new JsonPrimitive(""), false);
                }
                case 2 -> {
                    JsonElement v = wrongType(in, key);
                    return new Case(key, "wrong type", v, !v.isJsonNull() || REQUIRED.contains(key));
                }
                default -> {
                    // any integer: loads, or is refused naming the key (divisibility, image larger than patch, ...)
                    long v = in.next(Constraint.between(-5, 5000));
                    return new Case(key, "integer", new JsonPrimitive(v),
                            (SIZES.contains(key) && v < 1) || (NUMBERS.contains(key) && v <= 0) || BOOLEANS.contains(key) || STRINGS.contains(key)
                                    || key.equals("vision_config") || (TOKEN_IDS.contains(key) && v < 0));
                }
            }
        };
    }

    /** A value of a type the key never has (or JSON null, which counts as absent). */
    private static JsonElement wrongType(RandomnessSource in, String key) {
        JsonElement[] numbers = {new JsonPrimitive(1.5), new JsonPrimitive(1e12), new JsonPrimitive("128"),
                new JsonPrimitive(true), new JsonObject(), new JsonArray(), JsonNull.INSTANCE,
                new JsonPrimitive(Double.MAX_VALUE)};
        JsonElement[] others = {new JsonPrimitive(3), new JsonPrimitive("yes"), new JsonObject(),
                JsonParser.parseString("[true]"), JsonNull.INSTANCE};
        if (SIZES.contains(key) || TOKEN_IDS.contains(key)) {
            return numbers[pick(in, numbers.length)];
        }
        if (NUMBERS.contains(key)) {
            return numbers[2 + pick(in, numbers.length - 3)];
        }
        if (BOOLEANS.contains(key)) {
            return others[pick(in, others.length)];
        }
        if (STRINGS.contains(key)) {
            JsonElement[] notStrings = {new JsonPrimitive(3), new JsonPrimitive(false), new JsonObject(),
                    new JsonArray(), JsonNull.INSTANCE};
            return notStrings[pick(in, notStrings.length)];
        }
        JsonElement[] notObjects = {new JsonPrimitive(3), new JsonPrimitive("x"), new JsonArray(),
                new JsonPrimitive(true)};
        return notObjects[pick(in, notObjects.length)];
    }

    private static void write(JsonObject cfg) {
        try {
            Files.writeString(demo.resolve("config.json"), cfg.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int pick(RandomnessSource in, int n) {
        return (int) in.next(Constraint.between(0, n - 1));
    }
}
