package org.medv.gateway;

import io.grpc.Status;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.medv.model.TextSide;
import org.medv.model.sampler.GenerationOptions;

/**
 * The model's config, special ids, tokenizer and sampler defaults (never its weights). Loaded off the startup thread;
 * until it is loaded, readiness is DOWN and requests get UNAVAILABLE.
 */
@ApplicationScoped
public class ModelHolder {
    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    private final GatewayConfig config;
    private final Event<ReadinessChanged> changes;
    private volatile TextSide model;
    private volatile String failure;

    ModelHolder(GatewayConfig config, Event<ReadinessChanged> changes) {
        this.config = config;
        this.changes = changes;
    }

    void onStart(@Observes StartupEvent ev) {
        Thread loader = new Thread(this::load, "medv-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        try {
            long t0 = System.nanoTime();
            model = TextSide.load(config.model().dir());
            LOG.infof("tokenizer and config of %s loaded in %d ms", config.model().dir(),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            failure = e.getMessage();
            LOG.errorf("cannot load the model's tokenizer/config from %s: %s", config.model().dir(), e.getMessage());
        }
        changes.fire(new ReadinessChanged());
    }

    void onStop(@Observes ShutdownEvent ev) {
        TextSide m = model;
        if (m != null) {
            m.close();
        }
    }

    public boolean loaded() {
        return model != null;
    }

    /** Why loading failed, or null. */
    public String failure() {
        return failure;
    }

    /**
     * What a request's unset options become: the model's {@code generation_config.json} keys ({@code gen_length},
     * {@code block_length}, {@code steps}, {@code temperature}, {@code cfg_scale}, {@code remasking}), else
     * LLaDA-MedV's 128 / 128 / 128, greedy, low_confidence. Null forbidden ids and stop sequences mean the model's
     * special tokens. UNAVAILABLE while loading or after a failed load.
     */
    public GenerationOptions generationDefaults() {
        return model().generationDefaults();
    }

    /** The model's text side; UNAVAILABLE while loading or after a failed load. */
    public TextSide model() {
        TextSide m = model;
        if (m == null) {
            throw Status.UNAVAILABLE.withDescription(failure == null ? "the gateway is still loading the tokenizer"
                    : "the gateway could not load the tokenizer: " + failure).asRuntimeException();
        }
        return m;
    }
}
