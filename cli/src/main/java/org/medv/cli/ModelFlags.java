package org.medv.cli;

import org.medv.model.MedvModel;
import org.medv.model.image.ImageDecoder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a model directory is loaded: tower location, device and dtype (shared by generate and bench). */
final class ModelFlags {
    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "stand-alone SigLIP directory (default: found from the model directory, see README)")
    Path visionTower;

    @Option(names = "--device", description = "cpu or gpu (default ${DEFAULT-VALUE})")
    String device = "cpu";

    @Option(names = "--dtype", description = "f32 or f16 (default ${DEFAULT-VALUE})")
    String dtype = "f32";

    MedvModel.LoadOptions loadOptions(Path model) {
        return new MedvModel.LoadOptions(model, visionTower, device, dtype, ImageDecoder.PIL_MAX_IMAGE_PIXELS,
                HubCache.roots(), MedvModel.Parts.ALL);
    }
}
