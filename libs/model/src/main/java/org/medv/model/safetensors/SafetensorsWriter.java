package org.medv.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a safetensors file tensor by tensor, streaming each tensor's bytes so that multi-gigabyte checkpoints never
 * sit in the heap: declare every tensor first (the header needs all offsets), then {@link #write} them in order.
 */
public final class SafetensorsWriter {
    /** Fills {@code out} (little-endian, exactly the tensor's byte length) with the tensor's data. */
    @FunctionalInterface
    public interface Filler {
        void fill(ByteBuffer out);
    }

    private record Entry(String name, TensorDType dtype, long[] shape, Filler filler) {
        long bytes() {
            long n = dtype.bytes();
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsWriter add(String name, TensorDType dtype, long[] shape, Filler filler) {
        entries.add(new Entry(name, dtype, shape.clone(), filler));
        return this;
    }

    public void write(Path file) {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Entry e : entries) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.dtype.name());
            JsonArray shape = new JsonArray();
            for (long d : e.shape) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + e.bytes());
            t.add("data_offsets", offsets);
            header.add(e.name, t);
            offset += e.bytes();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data section 8-byte aligned, as the reference writer does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(head.flip());
            for (Entry e : entries) {
                ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(e.bytes())).order(ByteOrder.LITTLE_ENDIAN);
                e.filler.fill(buf);
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }
}
