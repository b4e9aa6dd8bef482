package org.medv.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file: an 8-byte little-endian header length, a JSON header, then raw little-endian data.
 * The header is parsed and checked at open (dtypes, shapes against byte ranges, ranges against the file size), so a
 * truncated or corrupt file fails here with its path and the offending tensor. Tensor data is memory-mapped on
 * demand, one tensor at a time: nothing of the data section goes through the Java heap.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelLoadException("cannot open safetensors file " + path + ": " + e.getMessage(), e);
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException | IOException e) {
            closeQuietly(channel);
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new ModelLoadException("truncated safetensors file " + path + ": " + size + " bytes, no header");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
            throw new ModelLoadException("bad safetensors header in " + path + ": header length " + headerLen
                    + " for a file of " + size + " bytes");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        channel.read(headerBuf, 8);
        String json = new String(headerBuf.array(), StandardCharsets.UTF_8);
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new ModelLoadException("bad safetensors header in " + path + ": not a JSON object (" + e.getMessage()
                    + ")", e);
        }
        if (!parsed.isJsonObject()) {
            throw new ModelLoadException("bad safetensors header in " + path + ": not a JSON object but "
                    + kind(parsed));
        }
        JsonObject header = parsed.getAsJsonObject();
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                parseMetadata(path, e.getValue(), metadata);
                continue;
            }
            tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
        }
        return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    /** {@code __metadata__}: an object of string values, as the format defines it. */
    private static void parseMetadata(Path path, JsonElement value, Map<String, String> into) {
        if (!value.isJsonObject()) {
            throw new ModelLoadException("bad safetensors header in " + path + ": __metadata__ must be an object of "
                    + "strings, got " + kind(value));
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                throw new ModelLoadException("bad safetensors header in " + path + ": __metadata__ value of \""
                        + m.getKey() + "\" must be a string, got " + kind(m.getValue()));
            }
            into.put(m.getKey(), m.getValue().getAsString());
        }
    }

    /**
     * One tensor's entry, checked strictly: a known dtype string, a shape of non-negative integers whose byte size
     * fits a long, and data_offsets [begin, end] of integers inside the data section whose length is that size.
     */
    private static TensorInfo parseEntry(Path path, String name, JsonElement value, long dataSize) {
        String where = "bad safetensors header in " + path + ": tensor " + name;
        if (!value.isJsonObject()) {
            throw new ModelLoadException(where + " is not an object but " + kind(value));
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeJson = o.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
            throw new ModelLoadException(where + " needs a dtype string, got " + kind(dtypeJson));
        }
        String dtypeName = dtypeJson.getAsString();
        TensorDType dtype = TensorDType.parse(dtypeName);
        if (dtype == null) {
            throw new ModelLoadException("unsupported dtype " + dtypeName + " for tensor " + name + " in " + path);
        }
        long[] shape = longs(o.get("shape"), where, "shape", -1);
        long expected = dtype.bytes();
        for (long d : shape) {
            try {
                expected = Math.multiplyExact(expected, d);
            } catch (ArithmeticException overflow) {
                throw new ModelLoadException(where + " " + dtypeName + Arrays.toString(shape)
                        + " is larger than any file can be");
            }
        }
        long[] offsets = longs(o.get("data_offsets"), where, "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end, path);
        if (end < begin || end - begin != expected) {
            throw new ModelLoadException(where + " " + dtypeName + info.shapeString() + " needs " + expected
                    + " bytes but its data_offsets are [" + begin + ", " + end + "]");
        }
        if (end > dataSize) {
            throw new ModelLoadException("truncated safetensors file " + path + ": tensor " + name + " ends at byte "
                    + end + " of the data section but the file holds only " + dataSize + " data bytes");
        }
        return info;
    }

    /** An array of non-negative integers (of {@code length} elements unless it is -1). */
    private static long[] longs(JsonElement json, String where, String key, int length) {
        if (json == null || !json.isJsonArray()) {
            throw new ModelLoadException(where + " needs " + key + " as an array of integers, got " + kind(json));
        }
        JsonArray a = json.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw new ModelLoadException(where + " needs " + length + " " + key + ", got " + a.size() + ": " + a);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegativeLong(a.get(i), where, key);
        }
        return out;
    }

    private static long nonNegativeLong(JsonElement e, String where, String key) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                long v = new BigDecimal(e.getAsString()).longValueExact();
                if (v >= 0) {
                    return v;
                }
            } catch (ArithmeticException | NumberFormatException notAnExactLong) {
                // reported below
            }
        }
        throw new ModelLoadException(where + " has " + key + " value " + e + "; each must be a non-negative integer");
    }

    private static String kind(JsonElement e) {
        if (e == null) {
            return "nothing";
        }
        String text = e.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Maps one tensor's bytes read-only (little-endian). Each tensor must be under 2 GiB, as every real one is. */
    public ByteBuffer map(TensorInfo info) {
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new ModelLoadException("tensor " + info.name() + " in " + path + " is " + info.byteLength()
                    + " bytes; tensors over 2 GiB are not supported");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelLoadException("cannot map tensor " + info.name() + " of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a read-only channel cannot lose data
        }
    }
}
