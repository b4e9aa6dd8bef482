package org.medv.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import org.medv.model.ModelLoadException;

import java.util.Locale;

/** The one place that turns "cpu"/"gpu" and "f32"/"f16" into DJL devices and types. CPU is the default. */
public final class Devices {
    private Devices() {
    }

    public static Device parse(String name) {
        String n = name == null ? "cpu" : name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
                    throw new ModelLoadException(gpuMissing(System.getenv("PYTORCH_LIBRARY_PATH"),
                            System.getenv("PYTORCH_FLAVOR")));
                }
                return Device.gpu();
            default:
                throw new ModelLoadException("unknown device " + name + " (cpu or gpu)");
        }
    }

    /**
     * Why the PyTorch engine sees no GPU, naming what is missing: DJL loads the bundled CPU build of libtorch unless
     * {@code PYTORCH_LIBRARY_PATH} names a CUDA build (libtorch 2.7.1 for CUDA 12.8) and {@code PYTORCH_FLAVOR} says
     * {@code cu128}; with both set, the driver or the device is what is missing.
     */
    static String gpuMissing(String libraryPath, String flavor) {
        String fix = " (docs/gpu.md: unpack libtorch 2.7.1 for CUDA 12.8, export PYTORCH_LIBRARY_PATH=<its lib"
                + " directory> PYTORCH_FLAVOR=cu128, then start again)";
        if (libraryPath == null || libraryPath.isBlank()) {
            return "--device gpu: PYTORCH_LIBRARY_PATH is not set, so the PyTorch engine loaded the bundled CPU build"
                    + " of libtorch and sees no GPU" + fix;
        }
        if (flavor == null || !flavor.startsWith("cu")) {
            return "--device gpu: PYTORCH_FLAVOR is " + (flavor == null ? "not set" : "\"" + flavor + "\"")
                    + ", not a CUDA flavor such as cu128, so the PyTorch engine sees no GPU" + fix;
        }
        return "--device gpu: the CUDA build of libtorch in " + libraryPath + " (" + flavor + ") sees no GPU: no"
                + " NVIDIA driver, or no device visible to this process (nvidia-smi, CUDA_VISIBLE_DEVICES)";
    }

    public static DataType dtype(String name) {
        String n = name == null ? "f32" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "f32", "float32" -> DataType.FLOAT32;
            case "f16", "float16" -> DataType.FLOAT16;
            default -> throw new ModelLoadException("unknown dtype " + name + " (f32 or f16)");
        };
    }
}
