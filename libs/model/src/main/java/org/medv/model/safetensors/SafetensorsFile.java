package org.medv.model.safetensors;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        JsonObject header;
        try {
            header = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new ModelLoadException("bad safetensors header in " + path + ": not a JSON object (" + e.getMessage()
                    + ")", e);
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                e.getValue().getAsJsonObject().entrySet()
                        .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
                continue;
            }
            tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
        }
        return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path path, String name, JsonElement value, long dataSize) {
        try {
            JsonObject o = value.getAsJsonObject();
            String dtypeName = o.get("dtype").getAsString();
            TensorDType dtype = TensorDType.parse(dtypeName);
            if (dtype == null) {
                throw new ModelLoadException("unsupported dtype " + dtypeName + " for tensor " + name + " in " + path);
            }
            var shapeJson = o.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new ModelLoadException("negative dimension in tensor " + name + " in " + path);
                }
            }
            var offsets = o.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            TensorInfo info = new TensorInfo(name, dtype, shape, begin, end, path);
            long expected = info.elementCount() * dtype.bytes();
            if (begin < 0 || end < begin || end - begin != expected) {
                throw new ModelLoadException("bad safetensors header in " + path + ": tensor " + name + " " + dtypeName
                        + info.shapeString() + " needs " + expected + " bytes but its data_offsets are [" + begin
                        + ", " + end + "]");
            }
            if (end > dataSize) {
                throw new ModelLoadException("truncated safetensors file " + path + ": tensor " + name + " ends at byte "
                        + end + " of the data section but the file holds only " + dataSize + " data bytes");
            }
            return info;
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException("bad safetensors header in " + path + ": malformed entry for tensor " + name
                    + " (" + e.getMessage() + ")", e);
        }
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
