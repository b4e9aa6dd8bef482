package org.medv.vision;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.medv.model.LoadOptions;

import java.util.List;

/** Settings flow one way: {@link VisionConfig} -> core records -> the engine. */
@Singleton
public class VisionBeans {

    @Produces
    @Singleton
    VisionMetrics metrics(MeterRegistry registry) {
        return new VisionMetrics(registry);
    }

    @Produces
    @Singleton
    VisionEngine engine(VisionConfig config, VisionMetrics metrics) {
        return new VisionEngine(settings(config), metrics);
    }

    void close(@Disposes VisionEngine engine) {
        engine.close();
    }

    static VisionSettings settings(VisionConfig config) {
        VisionConfig.Vision v = config.vision();
        return new VisionSettings(v.maxImageBytes(), v.cacheEntries(), v.queueCapacity(),
                VisionSettings.wireDtype(v.dtype()));
    }

    static LoadOptions loadOptions(VisionConfig config) {
        VisionConfig.Model m = config.model();
        return new LoadOptions(m.dir(), m.visionTower().orElse(null), m.device(), m.dtype(),
                config.vision().maxPixels(), m.hubCaches().orElse(List.of()));
    }
}
