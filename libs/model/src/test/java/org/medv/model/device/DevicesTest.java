package org.medv.model.device;

import org.junit.jupiter.api.Test;
import org.medv.model.ModelLoadException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device and dtype names, and what a GPU request without a GPU is told. */
class DevicesTest {

    @Test
    void aGpuRequestNamesWhatIsMissing() {
        String noPath = Devices.gpuMissing(null, null);
        assertTrue(noPath.startsWith("--device gpu: PYTORCH_LIBRARY_PATH is not set"), noPath);
        assertTrue(noPath.contains("libtorch 2.7.1 for CUDA 12.8"), noPath);
        String cpuFlavor = Devices.gpuMissing("/opt/libtorch/lib", "cpu");
        assertTrue(cpuFlavor.startsWith("--device gpu: PYTORCH_FLAVOR is \"cpu\", not a CUDA flavor"), cpuFlavor);
        String noDevice = Devices.gpuMissing("/opt/libtorch/lib", "cu128");
        assertEquals("--device gpu: the CUDA build of libtorch in /opt/libtorch/lib (cu128) sees no GPU: no NVIDIA"
                + " driver, or no device visible to this process (nvidia-smi, CUDA_VISIBLE_DEVICES)", noDevice);
    }

    @Test
    void thisMachineHasNoGpuAndSaysWhy() {
        // the build machine and CI have no GPU and load the bundled CPU build
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Devices.parse("gpu"));
        assertEquals(Devices.gpuMissing(System.getenv("PYTORCH_LIBRARY_PATH"), System.getenv("PYTORCH_FLAVOR")),
                e.getMessage());
    }

    @Test
    void unknownNamesAreRefused() {
        assertEquals("unknown device tpu (cpu or gpu)",
                assertThrows(ModelLoadException.class, () -> Devices.parse("tpu")).getMessage());
        assertEquals("unknown dtype bf16 (f32 or f16)",
                assertThrows(ModelLoadException.class, () -> Devices.dtype("bf16")).getMessage());
    }
}
