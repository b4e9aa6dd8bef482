package org.medv.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes safetensors bytes by hand (8-byte little-endian header length, JSON header, raw data), independent of the
 * main code's writer, so that tests can also write every kind of broken file.
 */
final class RawSafetensors {
    private final JsonObject header = new JsonObject();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** A well-formed entry whose data_offsets are the next {@code bytes.length} bytes. */
    RawSafetensors tensor(String name, String dtype, long[] shape, byte[] bytes) {
        return entry(name, dtype, shape, data.size(), data.size() + bytes.length, bytes);
    }

    /** An entry with explicit offsets; {@code bytes} are appended to the data section as they are. */
    RawSafetensors entry(String name, String dtype, long[] shape, long begin, long end, byte[] bytes) {
        JsonObject t = new JsonObject();
        t.addProperty("dtype", dtype);
        JsonArray s = new JsonArray();
        for (long d : shape) {
            s.add(d);
        }
        t.add("shape", s);
        JsonArray o = new JsonArray();
        o.add(begin);
        o.add(end);
        t.add("data_offsets", o);
        header.add(name, t);
        data.writeBytes(bytes);
        return this;
    }

    RawSafetensors metadata(String key, String value) {
        JsonObject m = header.has("__metadata__") ? header.getAsJsonObject("__metadata__") : new JsonObject();
        m.addProperty(key, value);
        header.add("__metadata__", m);
        return this;
    }

    /** Writes the file with its header padded by spaces to a multiple of 8, as the reference writer does. */
    Path write(Path file) {
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[(json.length + 7) / 8 * 8];
        java.util.Arrays.fill(padded, (byte) ' ');
        System.arraycopy(json, 0, padded, 0, json.length);
        return writeRaw(file, padded.length, padded, data.toByteArray());
    }

    /** Any header length, header bytes and data, for broken files. */
    static Path writeRaw(Path file, long headerLength, byte[] headerBytes, byte[] dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + headerBytes.length + dataBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(headerBytes).put(dataBytes);
        try {
            return Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] f32(float... v) {
        ByteBuffer b = le(v.length * 4);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** Raw 16-bit patterns (F16 or BF16). */
    static byte[] bits16(short... v) {
        ByteBuffer b = le(v.length * 2);
        for (short x : v) {
            b.putShort(x);
        }
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = le(v.length * 8);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static byte[] u8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
