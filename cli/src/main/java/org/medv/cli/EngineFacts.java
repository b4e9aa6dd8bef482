package org.medv.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code medv doctor} reports about the engine before it replays anything: the PyTorch engine and its version,
 * the libtorch flavour DJL loaded (cpu, cu128, ...), the device, its memory and which dtypes compute on it.
 */
record EngineFacts(String engine, String version, String djlVersion, String flavor, String libtorch, String device,
                   int gpuCount, Map<String, Long> memoryMib, Map<String, Boolean> dtypes) {
    private static final long MIB = 1 << 20;
    /** DJL's cache directory for a libtorch build: {@code 2.7.1-20250812-cpu-linux-x86_64}, {@code 2.7.1-cu128-...}. */
    private static final Pattern FLAVOR = Pattern.compile("-(cpu|cu\\d+|rocm[\\d.]*)(-precxx11)?-[a-z]+-");

    static EngineFacts of(NDManager manager) {
        Engine engine = manager.getEngine();
        String libtorch = LibUtils.getLibtorchPath();
        Device device = manager.getDevice();
        Map<String, Boolean> dtypes = new LinkedHashMap<>();
        dtypes.put("f32", computes(manager, DataType.FLOAT32));
        dtypes.put("f16", computes(manager, DataType.FLOAT16));
        // not probed: DJL 0.36's JNI has no BF16 type, and casting to it aborts the process (BF16 checkpoints are
        // read in Java and converted to f32 or f16)
        dtypes.put("bf16", false);
        return new EngineFacts(engine.getEngineName(), engine.getVersion(), Engine.getDjlVersion(),
                flavor(libtorch), libtorch, device.toString(), engine.getGpuCount(), memory(device), dtypes);
    }

    /** The flavour from the directory DJL loaded libtorch from; else PYTORCH_FLAVOR as given. */
    static String flavor(String libtorchPath) {
        Matcher m = FLAVOR.matcher(Path.of(libtorchPath).toString());
        if (m.find()) {
            return m.group(1);
        }
        String env = System.getenv("PYTORCH_FLAVOR");
        return env == null ? "unknown" : env;
    }

    /** A 2x2 matmul in {@code type} on the device: whether that dtype computes here at all. */
    private static boolean computes(NDManager manager, DataType type) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2)).toType(type, false);
            float[] r = a.matMul(a).toType(DataType.FLOAT32, false).toFloatArray();
            return r[0] == 7 && r[3] == 22;
        } catch (RuntimeException e) { // the engine refuses the type on this device
            return false;
        }
    }

    private static Map<String, Long> memory(Device device) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (device.isGpu()) {
            MemoryUsage gpu = CudaUtils.getGpuMemory(device);
            m.put("gpu_used", gpu.getUsed() / MIB);
            m.put("gpu_total", gpu.getMax() / MIB);
        }
        m.put("heap_max", Runtime.getRuntime().maxMemory() / MIB);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            m.put("physical_total", os.getTotalMemorySize() / MIB);
            m.put("physical_free", os.getFreeMemorySize() / MIB);
        }
        return m;
    }

    JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("engine", engine);
        o.addProperty("version", version);
        o.addProperty("djl_version", djlVersion);
        o.addProperty("flavor", flavor);
        o.addProperty("libtorch", libtorch);
        o.addProperty("device", device);
        o.addProperty("gpu_count", gpuCount);
        JsonObject mem = new JsonObject();
        memoryMib.forEach((k, v) -> mem.addProperty(k + "_mib", v));
        o.add("memory", mem);
        JsonObject types = new JsonObject();
        dtypes.forEach(types::addProperty);
        o.add("dtypes", types);
        return o;
    }

    String text() {
        StringBuilder mem = new StringBuilder();
        memoryMib.forEach((k, v) -> mem.append(mem.isEmpty() ? "" : ", ").append(k.replace('_', ' ')).append(' ')
                .append(v).append(" MiB"));
        StringBuilder types = new StringBuilder();
        dtypes.forEach((k, v) -> types.append(types.isEmpty() ? "" : ", ").append(k).append(v ? " yes" : " no"));
        return String.format("engine    %s %s (DJL %s), flavour %s%nlibtorch  %s%ndevice    %s (%d GPU%s visible)%n"
                        + "memory    %s%ndtypes    %s%n", engine, version, djlVersion, flavor, libtorch, device,
                gpuCount, gpuCount == 1 ? "" : "s", mem, types);
    }
}
