package org.medv.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The safetensors weights of one model directory: a single {@code model.safetensors}, a sharded checkpoint described
 * by {@code model.safetensors.index.json}, or every {@code *.safetensors} file in the directory.
 *
 * <p>Tensors are converted one at a time into a reusable direct staging buffer (BF16 is widened to F32 in Java,
 * since DJL's PyTorch engine aborts on BF16), wrapped by the engine, and cloned into engine-owned memory; the Java
 * heap never holds tensor data, and the extra native memory is the size of the largest tensor.
 */
public final class Checkpoint implements AutoCloseable {
    /** Told after each tensor is loaded: the bytes loaded so far and the bytes of every tensor in the files. */
    @FunctionalInterface
    public interface LoadListener {
        LoadListener NONE = (loaded, total) -> { };

        void loaded(long bytes, long totalBytes);
    }

    private final Path directory;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorInfo> tensors;
    private final Map<Path, SafetensorsFile> byPath;
    private final long totalBytes;
    private ByteBuffer staging;
    private LoadListener listener = LoadListener.NONE;
    private long loadedBytes;

    private Checkpoint(Path directory, List<SafetensorsFile> files) {
        this.directory = directory;
        this.files = files;
        Map<String, TensorInfo> all = new LinkedHashMap<>();
        Map<Path, SafetensorsFile> paths = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            paths.put(f.path(), f);
            for (TensorInfo t : f.tensors().values()) {
                TensorInfo previous = all.put(t.name(), t);
                if (previous != null) {
                    throw new ModelLoadException("tensor " + t.name() + " appears in both " + previous.file() + " and "
                            + t.file());
                }
            }
        }
        this.tensors = Collections.unmodifiableMap(all);
        this.byPath = paths;
        this.totalBytes = all.values().stream().mapToLong(TensorInfo::byteLength).sum();
    }

    /** Opens a model directory (or a single .safetensors file) and checks every header. */
    public static Checkpoint open(Path location) {
        if (Files.isRegularFile(location)) {
            return new Checkpoint(location.getParent(), List.of(SafetensorsFile.open(location)));
        }
        if (!Files.isDirectory(location)) {
            throw new ModelLoadException("model path " + location + " is neither a directory nor a safetensors file");
        }
        Path index = location.resolve("model.safetensors.index.json");
        List<Path> paths = Files.exists(index) ? shardsFromIndex(index) : safetensorsIn(location);
        if (paths.isEmpty()) {
            throw new ModelLoadException("no *.safetensors files in " + location);
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path p : paths) {
                opened.add(SafetensorsFile.open(p));
            }
            Checkpoint checkpoint = new Checkpoint(location, opened);
            if (Files.exists(index)) {
                checkpoint.checkIndex(index);
            }
            return checkpoint;
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static List<Path> shardsFromIndex(Path index) {
        try {
            JsonObject weightMap = JsonParser.parseString(Files.readString(index)).getAsJsonObject()
                    .getAsJsonObject("weight_map");
            if (weightMap == null) {
                throw new ModelLoadException("index " + index + " has no weight_map");
            }
            Set<String> shardNames = new java.util.TreeSet<>();
            weightMap.entrySet().forEach(e -> shardNames.add(e.getValue().getAsString()));
            List<Path> shards = new ArrayList<>();
            for (String name : shardNames) {
                Path shard = index.resolveSibling(name);
                if (!Files.isRegularFile(shard)) {
                    throw new ModelLoadException("shard " + shard + " listed in " + index + " is missing");
                }
                shards.add(shard);
            }
            return shards;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException("cannot read checkpoint index " + index + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> safetensorsIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every tensor the index promises must be in the shard it names. */
    private void checkIndex(Path index) {
        try {
            JsonObject weightMap = JsonParser.parseString(Files.readString(index)).getAsJsonObject()
                    .getAsJsonObject("weight_map");
            for (var e : weightMap.entrySet()) {
                TensorInfo t = tensors.get(e.getKey());
                Path shard = index.resolveSibling(e.getValue().getAsString());
                if (t == null || !t.file().equals(shard)) {
                    throw new ModelLoadException("tensor " + e.getKey() + " is listed in " + index + " under " + shard
                            + " but that file does not contain it");
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read checkpoint index " + index + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** Reports every tensor loaded from now on (a progress line for a model of many gigabytes). */
    public Checkpoint onLoad(LoadListener l) {
        this.listener = l;
        return this;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new ModelLoadException("missing tensor " + name + " in checkpoint " + directory + " ("
                    + tensors.size() + " tensors in " + files.size() + " file(s))");
        }
        return t;
    }

    /** Names under a prefix, e.g. {@code model.layers.}: used to count layers and to detect layouts. */
    public Map<String, TensorInfo> withPrefix(String prefix) {
        Map<String, TensorInfo> out = new TreeMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Loads a tensor whose shape must equal {@code expected}; floating tensors are converted to {@code target}. */
    public NDArray load(NDManager manager, String name, long[] expected, DataType target) {
        TensorInfo t = info(name);
        if (expected != null && !Arrays.equals(expected, t.shape())) {
            throw new ModelLoadException("tensor " + name + " in " + t.file() + " has shape " + t.shapeString()
                    + " but the config requires " + Arrays.toString(expected));
        }
        return load(manager, t, target);
    }

    /** Loads a tensor of any shape; floating tensors are converted to {@code target}, integers keep their type. */
    public NDArray load(NDManager manager, String name, DataType target) {
        return load(manager, info(name), target);
    }

    private synchronized NDArray load(NDManager manager, TensorInfo t, DataType target) {
        ByteBuffer src = byPath.get(t.file()).map(t);
        int n = Math.toIntExact(t.elementCount());
        Shape shape = new Shape(t.shape());
        DataType created;
        ByteBuffer buf;
        if (t.dtype() == TensorDType.BF16 && target == DataType.FLOAT16) {
            buf = staging((long) n * 2);
            for (int i = 0; i < n; i++) {
                buf.putShort(i * 2, Float16.floatToHalf(Float16.bf16ToFloat(src.getShort(i * 2))));
            }
            created = DataType.FLOAT16;
        } else if (t.dtype() == TensorDType.BF16) {
            buf = staging((long) n * 4);
            for (int i = 0; i < n; i++) {
                buf.putInt(i * 4, (src.getShort(i * 2) & 0xFFFF) << 16);
            }
            created = DataType.FLOAT32;
        } else {
            buf = staging(t.byteLength());
            buf.put(0, src, 0, (int) t.byteLength());
            created = t.dtype().djlType();
        }
        NDArray array;
        try (NDArray shared = manager.create(buf.slice(0, (int) bufBytes(n, created)).order(ByteOrder.nativeOrder()),
                shape, created)) {
            // the engine wraps direct buffers without copying: clone into engine-owned memory so staging is reusable
            boolean convert = t.dtype().isFloating() && target != null && created != target;
            array = convert ? shared.toType(target, true) : shared.duplicate();
        }
        array.setName(t.name());
        loadedBytes += t.byteLength();
        listener.loaded(loadedBytes, totalBytes);
        return array;
    }

    private static long bufBytes(int n, DataType type) {
        return (long) n * type.getNumOfBytes();
    }

    private ByteBuffer staging(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new ModelLoadException("tensor of " + bytes + " bytes exceeds the 2 GiB staging limit");
        }
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        return staging;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
        staging = null;
    }
}
