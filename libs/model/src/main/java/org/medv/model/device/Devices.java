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
                    throw new ModelLoadException("--device gpu requested but the PyTorch engine sees no GPU "
                            + "(the bundled native library is the CPU build)");
                }
                return Device.gpu();
            default:
                throw new ModelLoadException("unknown device " + name + " (cpu or gpu)");
        }
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
