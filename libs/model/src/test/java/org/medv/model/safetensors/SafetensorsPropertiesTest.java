package org.medv.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.ModelLoadException;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * Property-based tests of the safetensors reader with hostile headers (QuickTheories, fixed seeds, shrinking on
 * failure). A valid file with exactly one injected defect (length prefix, JSON, dtype, shape, offsets, metadata) is
 * refused with a {@link ModelLoadException} that names the file and what is wrong (the tensor, the header length or
 * {@code __metadata__}), never with a raw NullPointerException, IndexOutOfBounds, ClassCast, NumberFormat or an
 * Error; a valid file with random byte edits in its header either opens with entries that are consistent (ranges
 * inside the data, byte lengths equal to shape x dtype, computed without overflow here) or is refused the same way.
 */
class SafetensorsPropertiesTest {
    private static final List<String> DTYPES = List.of("F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL");
    private static final String EDITS = "0123456789-.,:[]{}\"e ABCFIU_x\u0000";
    private static final List<Class<? extends Throwable>> RAW = List.of(NullPointerException.class,
            IndexOutOfBoundsException.class, ClassCastException.class, NumberFormatException.class,
            UnsupportedOperationException.class, IllegalStateException.class, ArithmeticException.class, Error.class);

    @TempDir
    Path dir;

    /** A generated file: its parts, what was injected and what the refusal must name. */
    record Case(String what, long headerLength, byte[] header, byte[] data, String names) {
        @Override
        public String toString() {
            String h = new String(header, StandardCharsets.UTF_8);
            return what + " (must name " + names + "), length " + headerLength + ": "
                    + (h.length() > 400 ? h.substring(0, 400) + "..." : h) + " + " + data.length + " data bytes";
        }
    }

    @Test
    void oneDefectIsRefusedNamingIt() {
        qt().withFixedSeed(211).withExamples(1500).withShrinkCycles(50).forAll(defective()).checkAssert(c -> {
            Path file = RawSafetensors.writeRaw(dir.resolve("model.safetensors"), c.headerLength(), c.header(),
                    c.data());
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(file).close(),
                    c::toString);
            assertClear(e, file, c);
            assertTrue(e.getMessage().contains(c.names()), e.getMessage() + " for " + c);
        });
    }

    @Test
    void randomHeaderEditsOpenConsistentlyOrAreRefused() {
        Gen<Case> edited = in -> {
            Case v = valid(in);
            byte[] h = v.header().clone();
            int edits = (int) in.next(Constraint.between(1, 6));
            for (int i = 0; i < edits; i++) {
                int at = pick(in, h.length);
                h[at] = (byte) EDITS.charAt(pick(in, EDITS.length()));
            }
            return new Case("edited", v.headerLength(), h, v.data(), "");
        };
        qt().withFixedSeed(223).withExamples(1500).withShrinkCycles(50).forAll(edited).checkAssert(c -> {
            Path file = RawSafetensors.writeRaw(dir.resolve("edited.safetensors"), c.headerLength(), c.header(),
                    c.data());
            SafetensorsFile f;
            try {
                f = SafetensorsFile.open(file);
            } catch (ModelLoadException e) {
                assertClear(e, file, c);
                return;
            }
            try (f) {
                for (TensorInfo t : f.tensors().values()) {
                    long elements = 1;
                    for (long d : t.shape()) {
                        assertTrue(d >= 0, c::toString);
                        elements = Math.multiplyExact(elements, d);
                    }
                    assertEquals(Math.multiplyExact(elements, t.dtype().bytes()), t.byteLength(), c::toString);
                    assertTrue(t.begin() >= 0 && t.end() <= c.data().length, c::toString);
                    assertEquals(t.byteLength(), f.map(t).remaining());
                }
            }
        });
    }

    private static void assertClear(ModelLoadException e, Path file, Case c) {
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage() + " for " + c);
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            for (Class<? extends Throwable> raw : RAW) {
                assertFalse(raw.isInstance(t), "a raw " + t + " under " + e.getMessage() + " for " + c);
            }
        }
    }

    /** A well-formed file of 1 to 4 small tensors, contiguous as the reference writer lays them out. */
    private static Case valid(RandomnessSource in) {
        JsonObject header = new JsonObject();
        long offset = 0;
        int n = (int) in.next(Constraint.between(1, 4));
        for (int i = 0; i < n; i++) {
            String dtype = DTYPES.get(pick(in, DTYPES.size()));
            JsonArray shape = new JsonArray();
            long elements = 1;
            for (int d = (int) in.next(Constraint.between(0, 3)); d > 0; d--) {
                long dim = in.next(Constraint.between(0, 5));
                shape.add(dim);
                elements *= dim;
            }
            long bytes = elements * TensorDType.valueOf(dtype).bytes();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype);
            t.add("shape", shape);
            t.add("data_offsets", pair(offset, offset + bytes));
            header.add("tensor_" + i, t);
            offset += bytes;
        }
        if (pick(in, 2) == 0) {
            JsonObject meta = new JsonObject();
            meta.addProperty("format", "pt");
            header.add("__metadata__", meta);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        return new Case("valid", json.length, json, new byte[(int) offset], "");
    }

    private static Gen<Case> defective() {
        return in -> {
            Case v = valid(in);
            JsonObject header = com.google.gson.JsonParser.parseString(new String(v.header(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            List<String> tensors = header.keySet().stream().filter(k -> !k.equals("__metadata__")).toList();
            String name = tensors.get(pick(in, tensors.size()));
            JsonObject t = header.getAsJsonObject(name);
            long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
            long dataSize = v.data().length;
            String what;
            String names = name;
            switch (pick(in, 12)) {
                case 0 -> {
                    long[] lengths = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, v.header().length + 1L,
                            v.header().length + dataSize + 1, 1L << 40, in.next(Constraint.between(-1000, -1))};
                    long length = lengths[pick(in, lengths.length)];
                    // within the file, a wrong length shows as malformed JSON: "header" is all it can name
                    return new Case("header length " + length, length, v.header(), v.data(), "header");
                }
                case 1 -> {
                    int cut = pick(in, v.header().length);
                    byte[] h = java.util.Arrays.copyOf(v.header(), cut);
                    return new Case("truncated JSON", cut, h, v.data(), "header");
                }
                case 2 -> {
                    String[] notObjects = {"[]", "null", "42", "\"x\"", "[".repeat(20_000) + "]".repeat(20_000),
                            "{\"a\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}", "{,}", "{\"a\" 1}"};
                    byte[] h = notObjects[pick(in, notObjects.length)].getBytes(StandardCharsets.UTF_8);
                    return new Case("not a JSON object", h.length, h, v.data(), "header");
                }
                case 3 -> {
                    JsonElement[] bad = {new JsonPrimitive("Q7"), new JsonPrimitive(3), JsonNull.INSTANCE,
                            new JsonArray(), new JsonObject(), new JsonPrimitive("f32")};
                    JsonElement dtype = bad[pick(in, bad.length)];
                    t.add("dtype", dtype);
                    what = "dtype " + dtype;
                }
                case 4 -> {
                    if (pick(in, 2) == 0) {
                        t.remove("dtype");
                        what = "no dtype";
                    } else if (pick(in, 2) == 0) {
                        t.remove("shape");
                        what = "no shape";
                    } else {
                        t.remove("data_offsets");
                        what = "no data_offsets";
                    }
                }
                case 5 -> {
                    JsonElement[] dims = {new JsonPrimitive(-1), new JsonPrimitive(1.5), new JsonPrimitive("3"),
                            new JsonPrimitive(1e30), JsonNull.INSTANCE, new JsonArray(), new JsonPrimitive(true),
                            new JsonPrimitive(Long.MIN_VALUE)};
                    JsonArray shape = t.getAsJsonArray("shape");
                    shape.add(dims[pick(in, dims.length)]);
                    what = "shape " + shape;
                }
                case 6 -> {
                    // dimensions whose product overflows a long to a small number
                    JsonArray shape = new JsonArray();
                    shape.add(1L << 62);
                    shape.add(4 + 4L * pick(in, 4));
                    t.add("shape", shape);
                    what = "overflowing shape " + shape;
                }
                case 7 -> {
                    JsonElement[] offsets = {pair(begin, end + 1 + pick(in, 8)), pair(end, begin - 1),
                            pair(-8, end - begin - 8), pair(dataSize + 8, dataSize + 8 + end - begin),
                            pair(Long.MAX_VALUE - 2, Long.MAX_VALUE - 2 + end - begin), new JsonArray(),
                            single(begin), triple(begin, end), new JsonPrimitive(0), strings(begin, end),
                            pair(begin + 0.5, end + 0.5)};
                    // none of these equals [begin, end]
                    JsonElement o = offsets[pick(in, offsets.length)];
                    t.add("data_offsets", o);
                    what = "data_offsets " + o;
                }
                case 8 -> {
                    // a consistent entry that ends beyond the data section
                    JsonArray shape = new JsonArray();
                    long elements = dataSize + 1 + pick(in, 64);
                    shape.add(elements);
                    t.addProperty("dtype", "U8");
                    t.add("shape", shape);
                    t.add("data_offsets", pair(0, elements));
                    what = "beyond the data";
                }
                case 9 -> {
                    JsonElement[] entries = {new JsonPrimitive(1), new JsonArray(), JsonNull.INSTANCE,
                            new JsonPrimitive("F32")};
                    JsonElement e = entries[pick(in, entries.length)];
                    header.add(name, e);
                    what = "entry " + e;
                }
                case 10 -> {
                    JsonElement[] metas = {new JsonPrimitive(1), new JsonArray(), meta(new JsonObject()),
                            meta(new JsonArray()), meta(JsonNull.INSTANCE)};
                    JsonElement m = metas[pick(in, metas.length)];
                    header.add("__metadata__", m);
                    what = "__metadata__ " + m;
                    names = "__metadata__";
                }
                default -> {
                    // dtype and shape that disagree with the byte range
                    String other = DTYPES.get(pick(in, DTYPES.size()));
                    long dims = t.getAsJsonArray("shape").size();
                    long expected = TensorDType.valueOf(other).bytes();
                    for (JsonElement d : t.getAsJsonArray("shape")) {
                        expected *= d.getAsLong();
                    }
                    if (expected == end - begin) {
                        JsonArray shape = t.getAsJsonArray("shape");
                        shape.add(2 + pick(in, 3));
                        if (end - begin == 0) {
                            t.add("data_offsets", pair(begin, begin + 1));
                        }
                    }
                    t.addProperty("dtype", other);
                    what = "dtype " + other + " with " + dims + " dims over " + (end - begin) + " bytes";
                }
            }
            byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
            return new Case(what + " in " + name, json.length, json, v.data(), names);
        };
    }

    private static JsonObject meta(JsonElement value) {
        JsonObject m = new JsonObject();
        m.add("format", value);
        return m;
    }

    private static JsonArray pair(Number a, Number b) {
        JsonArray p = new JsonArray();
        p.add(a);
        p.add(b);
        return p;
    }

    private static JsonArray single(long a) {
        JsonArray p = new JsonArray();
        p.add(a);
        return p;
    }

    private static JsonArray triple(long a, long b) {
        JsonArray p = pair(a, b);
        p.add(b);
        return p;
    }

    private static JsonArray strings(long a, long b) {
        JsonArray p = new JsonArray();
        p.add(Long.toString(a));
        p.add("end");
        return p;
    }

    private static int pick(RandomnessSource in, int n) {
        return (int) in.next(Constraint.between(0, n - 1));
    }
}
