package org.medv.model.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A model directory's {@code tokenizer.json}, run by the Hugging Face tokenizers library through DJL. Encoding adds no
 * special tokens and never truncates or pads: the prompt builder writes BOS and the headers as text, as LLaDA's chat
 * template does. The underlying Rust tokenizer is safe to share between threads.
 */
public final class TextTokenizer implements AutoCloseable {

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean cleanUpSpaces;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer, boolean cleanUpSpaces) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.cleanUpSpaces = cleanUpSpaces;
    }

    /**
     * Loads {@code modelDir/tokenizer.json}; {@code tokenizer_config.json}, if present, supplies
     * {@code clean_up_tokenization_spaces} (false when absent).
     *
     * @throws ModelLoadException naming the directory or file when the tokenizer is missing or unreadable
     */
    public static TextTokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("no tokenizer.json in model directory " + modelDir.toAbsolutePath());
        }
        boolean cleanUp = cleanUpFlag(modelDir.resolve("tokenizer_config.json"));
        // truncation/padding off: DJL then has no use for maxLength and does not warn about it
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
        try {
            return new TextTokenizer(file, HuggingFaceTokenizer.newInstance(file, options), cleanUp);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** The tokenizer.json this was loaded from. */
    public Path file() {
        return file;
    }

    /** Token ids of {@code text}, special tokens written as text included, nothing added. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Token ids of {@code text}; {@code addSpecialTokens} applies tokenizer.json's post-processor, which is what
     * transformers' {@code tokenizer(text)} does by default (LLaDA's has none that adds BOS, see §2.1 of the notes).
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * Text of {@code ids}. Negative ids (the image placeholder) are dropped here; ids the vocabulary lacks are dropped
     * by the tokenizers library itself. {@code skipSpecial} drops the added tokens marked special.
     */
    public String decode(int[] ids, boolean skipSpecial) {
        long[] valid = Arrays.stream(ids).filter(id -> id >= 0).asLongStream().toArray();
        String text = tokenizer.decode(valid, skipSpecial);
        return cleanUpSpaces ? PyStrings.cleanUpTokenization(text) : text;
    }

    /**
     * An answer as upstream reports it: {@code tokenizer.batch_decode(ids, skip_special_tokens=True)[0].strip()}
     * ({@code test_lladamedv_vqa.py}), with Python's notion of whitespace.
     */
    public String decodeAnswer(int[] ids) {
        return PyStrings.strip(decode(ids, true));
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static boolean cleanUpFlag(Path config) {
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            JsonElement v = JsonParser.parseString(Files.readString(config)).getAsJsonObject()
                    .get("clean_up_tokenization_spaces");
            return v != null && !v.isJsonNull() && v.getAsBoolean();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read tokenizer config " + config.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }
}
