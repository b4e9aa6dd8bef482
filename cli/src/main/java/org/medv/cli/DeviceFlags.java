package org.medv.cli;

import picocli.CommandLine.Option;

/** Where and in which precision a model runs: {@code --device} and {@code --dtype} (Devices parses both). */
final class DeviceFlags {
    @Option(names = "--device", description = "cpu or gpu (default ${DEFAULT-VALUE})")
    String device = "cpu";

    @Option(names = "--dtype", description = "f32 or f16 (default ${DEFAULT-VALUE})")
    String dtype = "f32";
}
