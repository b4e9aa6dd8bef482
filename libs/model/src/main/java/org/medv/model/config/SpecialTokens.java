package org.medv.model.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The special token ids the algorithm depends on. They come from the model's files: {@code tokenizer.json} /
 * {@code tokenizer_config.json} (by token text), then {@code generation_config.json}, then {@code config.json}; where a
 * model defines none of them (the golden checkpoint has no tokenizer), the LLaDA family's ids apply. This record is
 * the only place those literals appear.
 */
public record SpecialTokens(int mask, int bos, int eos, int startHeader, int endHeader, int eot, int pad) {

    public static final String MASK_TEXT = "<|mdm_mask|>";
    public static final String BOS_TEXT = "<|startoftext|>";
    public static final String EOS_TEXT = "<|endoftext|>";
    public static final String START_HEADER_TEXT = "<|start_header_id|>";
    public static final String END_HEADER_TEXT = "<|end_header_id|>";
    public static final String EOT_TEXT = "<|eot_id|>";

    /** LLaDA-8B-Instruct's tokenizer (and so LLaDA-V's and LLaDA-MedV's). */
    public static final SpecialTokens LLADA = new SpecialTokens(126336, 126080, 126081, 126346, 126347, 126348, 126081);

    /** Forbidden at masked positions by LLaDA-V's {@code generate_with_embeds}: EOS, BOS and the two header tokens. */
    public List<Integer> defaultForbidden() {
        return List.of(eos, bos, startHeader, endHeader);
    }

    /** The default stop sequence: {@code <|eot_id|>} alone. */
    public List<List<Integer>> defaultStops() {
        return List.of(List.of(eot));
    }

    /** Resolves the ids of a model directory; see the class comment for the precedence. */
    public static SpecialTokens load(Path modelDir) {
        Map<String, Integer> byText = tokenizerIds(modelDir);
        Json gen = Json.readIfExists(modelDir.resolve("generation_config.json"));
        Json cfg = Json.readIfExists(modelDir.resolve("config.json"));
        int mask = pick(byText.get(MASK_TEXT), key(gen, "mask_token_id"), key(cfg, "mask_token_id"), LLADA.mask);
        // config.json's bos_token_id is unreliable (LLaDA-V ships Llama-3's 128000): generation config and tokenizer win
        int bos = pick(byText.get(BOS_TEXT), key(gen, "bos_token_id"), key(cfg, "bos_token_id"), LLADA.bos);
        int eos = pick(byText.get(EOS_TEXT), key(gen, "eos_token_id"), key(cfg, "eos_token_id"), LLADA.eos);
        int sh = pick(byText.get(START_HEADER_TEXT), key(cfg, "start_header_token_id"), null, LLADA.startHeader);
        int eh = pick(byText.get(END_HEADER_TEXT), key(cfg, "end_header_token_id"), null, LLADA.endHeader);
        int eot = pick(byText.get(EOT_TEXT), key(cfg, "eot_token_id"), null, LLADA.eot);
        int pad = pick(key(gen, "pad_token_id"), key(cfg, "pad_token_id"), null, eos);
        return new SpecialTokens(mask, bos, eos, sh, eh, eot, pad);
    }

    private static Integer key(Json j, String key) {
        if (j == null || !j.has(key)) {
            return null;
        }
        JsonElement e = j.get(key);
        // generation_config may list several eos ids: the first is the primary one
        if (e.isJsonArray()) {
            if (e.getAsJsonArray().isEmpty()) {
                throw j.wrongType(key, "a token id or a non-empty list of token ids");
            }
            e = e.getAsJsonArray().get(0);
        }
        int id = j.asInt(key, e);
        if (id < 0) {
            throw j.wrongType(key, "a token id of at least 0");
        }
        return id;
    }

    private static int pick(Integer a, Integer b, Integer c, int fallback) {
        return a != null ? a : b != null ? b : c != null ? c : fallback;
    }

    /** Special tokens by text from tokenizer.json's added_tokens and tokenizer_config.json's added_tokens_decoder. */
    private static Map<String, Integer> tokenizerIds(Path modelDir) {
        Map<String, Integer> out = new HashMap<>();
        try {
            Path tok = modelDir.resolve("tokenizer.json");
            if (Files.isRegularFile(tok)) {
                var added = JsonParser.parseString(Files.readString(tok)).getAsJsonObject().getAsJsonArray("added_tokens");
                if (added != null) {
                    for (var e : added) {
                        var o = e.getAsJsonObject();
                        out.put(o.get("content").getAsString(), o.get("id").getAsInt());
                    }
                }
            }
            Path tc = modelDir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(tc)) {
                var dec = JsonParser.parseString(Files.readString(tc)).getAsJsonObject()
                        .getAsJsonObject("added_tokens_decoder");
                if (dec != null) {
                    for (var e : dec.entrySet()) {
                        out.putIfAbsent(e.getValue().getAsJsonObject().get("content").getAsString(),
                                Integer.parseInt(e.getKey()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new org.medv.model.ModelLoadException("cannot read tokenizer files in " + modelDir + ": "
                    + e.getMessage(), e);
        }
        return out;
    }
}
