package org.medv.cli;

import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;
import org.medv.model.image.ImageDecoder;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** How a model directory is loaded: tower location, device and dtype (shared by generate and bench). */
final class ModelFlags {
    private static final long MIB = 1 << 20;

    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "stand-alone SigLIP directory (default: found from the model directory, see README)")
    Path visionTower;

    @Mixin
    DeviceFlags target = new DeviceFlags();

    @Mixin
    Progress.Flag progress = new Progress.Flag();

    LoadOptions loadOptions(Path model) {
        return new LoadOptions(model, visionTower, target.device, target.dtype, ImageDecoder.PIL_MAX_IMAGE_PIXELS,
                HubCache.roots());
    }

    /** Loads {@code model} with a progress line (MiB of the checkpoint's tensors) on {@code err}. */
    MedvModel load(Path model, PrintWriter err) {
        try (Progress p = progress.start(err, "loading " + model.getFileName(), 0, "MiB")) {
            return MedvModel.load(loadOptions(model), (bytes, totalBytes) -> {
                long mib = Math.max(1, Math.round((double) totalBytes / MIB));
                p.update(Math.round((double) bytes / totalBytes * mib), mib);
            });
        }
    }
}
