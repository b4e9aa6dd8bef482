package org.medv.model.text;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.medv.model.config.SpecialTokens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small, valid Hugging Face {@code tokenizer.json} that this project creates itself: a byte-level BPE in the
 * GPT-2 / Llama-3 family that LLaDA's own tokenizer belongs to, so that every string is encodable and decodes back
 * byte for byte.
 *
 * <p>Layout of the ids: 0..255 are the 256 single bytes (GPT-2's {@code bytes_to_unicode} alphabet, in byte order,
 * so {@code "\n"} is id 10 and {@code "\n\n"} is two tokens, as in LLaDA where it is 198,198); then each word as
 * itself and with a leading space ({@code "Ġword"}); then the special tokens at the ids the caller gives, which may
 * leave a gap (LLaDA's sit at 126080..126348). There are no merges: with {@code ignore_merges} a pre-token that is in
 * the vocabulary becomes one token, anything else falls back to its bytes.
 */
public final class TokenizerJsonWriter {

    /** One added token: its text and its id; written with {@code special: true}. */
    public record SpecialToken(String content, int id) {
        public SpecialToken {
            if (content == null || content.isEmpty() || id < 0) {
                throw new IllegalArgumentException("bad special token " + content + " at id " + id);
            }
        }
    }

    private static final char[] BYTE_TO_CHAR = bytesToUnicode();

    private final Map<String, Integer> vocab = new LinkedHashMap<>();
    private final List<SpecialToken> specials;

    /**
     * @param words    the whole-word vocabulary (each also gets a space-prefixed variant); duplicates are ignored
     * @param specials the added special tokens; their ids must not collide with the regular ids
     */
    public TokenizerJsonWriter(List<String> words, List<SpecialToken> specials) {
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BYTE_TO_CHAR[b]), b);
        }
        for (String w : words) {
            if (w.isEmpty() || w.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a vocabulary word must be non-empty, without whitespace: '"
                        + w + "'");
            }
            vocab.putIfAbsent(byteLevel(w), vocab.size());
            vocab.putIfAbsent(byteLevel(" " + w), vocab.size());
        }
        int regular = vocab.size();
        for (SpecialToken s : specials) {
            if (s.id() < regular) {
                throw new IllegalArgumentException("special token " + s.content() + " id " + s.id()
                        + " collides with the regular vocabulary (ids 0.." + (regular - 1) + ")");
            }
            if (vocab.containsValue(s.id()) || vocab.containsKey(s.content())) {
                throw new IllegalArgumentException("duplicate special token " + s.content() + " / id " + s.id());
            }
            // the model vocabulary must hold them too: on load, tokenizers re-assigns an added token that is
            // absent from the model to the next free id instead of the id written in added_tokens
            vocab.put(s.content(), s.id());
        }
        this.specials = List.copyOf(specials);
    }

    /** LLaDA's six special-token texts at the ids of {@code ids} (mask, bos, eos, the two headers, eot). */
    public static List<SpecialToken> lladaSpecialTokens(SpecialTokens ids) {
        List<SpecialToken> out = new ArrayList<>(List.of(
                new SpecialToken(SpecialTokens.BOS_TEXT, ids.bos()),
                new SpecialToken(SpecialTokens.EOS_TEXT, ids.eos()),
                new SpecialToken(SpecialTokens.MASK_TEXT, ids.mask()),
                new SpecialToken(SpecialTokens.START_HEADER_TEXT, ids.startHeader()),
                new SpecialToken(SpecialTokens.END_HEADER_TEXT, ids.endHeader()),
                new SpecialToken(SpecialTokens.EOT_TEXT, ids.eot())));
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return out;
    }

    /** The test tokenizer: {@link #DEFAULT_WORDS} plus LLaDA's special tokens at their real ids. */
    public static TokenizerJsonWriter lladaTest() {
        return new TokenizerJsonWriter(DEFAULT_WORDS, lladaSpecialTokens(SpecialTokens.LLADA));
    }

    /** Token text to id, specials included. */
    public Map<String, Integer> vocab() {
        return Collections.unmodifiableMap(vocab);
    }

    /** The id a model's embedding table must cover: largest id + 1. */
    public int vocabSize() {
        return vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /** Writes {@code dir/tokenizer.json} (creating {@code dir}) and returns the file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("tokenizer.json"), toJson(), StandardCharsets.UTF_8);
    }

    /** The tokenizer.json text (Hugging Face tokenizers serialisation format, version 1.0). */
    public String toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (SpecialToken s : specials) {
            JsonObject t = new JsonObject();
            t.addProperty("id", s.id());
            t.addProperty("content", s.content());
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel(false, true));
        // no post-processor: like LLaDA (add_bos_token false), encoding never adds BOS/EOS by itself
        root.add("post_processor", JsonNull.INSTANCE);
        root.add("decoder", byteLevel(true, true));
        root.add("model", model());
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root);
    }

    private JsonObject model() {
        JsonObject m = new JsonObject();
        m.addProperty("type", "BPE");
        m.add("dropout", JsonNull.INSTANCE);
        m.add("unk_token", JsonNull.INSTANCE);
        m.add("continuing_subword_prefix", JsonNull.INSTANCE);
        m.add("end_of_word_suffix", JsonNull.INSTANCE);
        m.addProperty("fuse_unk", false);
        m.addProperty("byte_fallback", false);
        m.addProperty("ignore_merges", true);
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);
        m.add("vocab", v);
        m.add("merges", new JsonArray());
        return m;
    }

    private static JsonObject byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", addPrefixSpace);
        o.addProperty("trim_offsets", trimOffsets);
        o.addProperty("use_regex", true);
        return o;
    }

    /** A string's UTF-8 bytes written in the byte-level alphabet (space becomes {@code Ġ}, newline {@code Ċ}). */
    static String byteLevel(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    /** GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
    private static char[] bytesToUnicode() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? (char) b : (char) (256 + n++);
        }
        return table;
    }

    /**
     * A few hundred words: chat roles, the LLaVA-LLaDA system prompt, question words and medical VQA vocabulary, with
     * the capitalised forms that start sentences. Anything else still encodes, byte by byte.
     */
    public static final List<String> DEFAULT_WORDS = List.copyOf(Arrays.asList(("""
            system user assistant You you are a an the The is Is are Are was were be been being have has had do does
            Does did Do can Can could would should will may might must not no No yes Yes and or but if then than so
            of to in on at by for with from into onto over under above below between within without about after
            before during through across along around near inside outside left right upper lower middle center
            central side both either neither each every all any some many much more most less least few several
            this This that That these those there There here it It its they them their what What which Which who
            Who whom whose where Where when When why Why how How one two three four five six seven eight nine ten
            first second third single multiple helpful language vision assistant able understand visual content
            provides assist variety tasks using natural Answer answer concisely English image images picture photo
            shown show shows seen see visible present absent abnormal normal abnormality finding findings evidence
            sign signs organ organs body part region area lesion lesions mass masses nodule nodules tumor tumors
            cancer cyst cysts fluid air gas fat bone bones fracture fractures brain skull head neck chest lung lungs
            heart liver kidney kidneys spleen pancreas stomach bowel colon intestine bladder uterus prostate spine
            vertebra vertebrae rib ribs pelvis hip knee shoulder arm leg hand foot muscle tissue cell cells nucleus
            nuclei vessel vessels artery arteries vein aorta blood hemorrhage infarct edema effusion pneumonia
            pneumothorax cardiomegaly atelectasis consolidation opacity opacities enlarged enlargement dilated
            thickening calcification calcified contrast enhancement enhancing density dense hyperdense hypodense
            intensity hyperintense hypointense signal scan scans CT MRI MR X-ray radiograph radiology ultrasound PET
            imaging modality plane axial coronal sagittal view views slice slices T1 T2 FLAIR weighted window
            pathology histology specimen stain stained staining tissue biopsy microscopy magnification malignant
            benign inflammation inflammatory infection necrosis fibrosis carcinoma adenocarcinoma lymphoma
            metastasis metastatic diagnosis disease diseases condition patient patients male female age old young
            size large small larger smaller big shape round oval irregular smooth margin margins border borders
            well-defined ill-defined solid cystic homogeneous heterogeneous bright dark black white gray color
            located location position positioned side sides part parts structure structures anatomy anatomical
            surrounding adjacent involved involving affected affect affects cause caused causes due likely unlikely
            possible probably consistent suggest suggests suggestive indicate indicates indicating compared
            comparison increased decreased increase decrease high low higher lower level levels number count
            method used use taken acquired technique primary secondary acute chronic severe mild moderate
            diffuse focal bilateral unilateral symmetric asymmetric anterior posterior superior inferior medial
            lateral proximal distal
            """).strip().split("\\s+")));
}
