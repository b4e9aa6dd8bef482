package org.medv.gateway;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Who may ask, and how much: the API keys of {@code medv.gateway.api-keys-file} (read once at start; a bad file stops
 * the gateway from starting) and the per-key limits. Without a key file the gateway is open, as before keys existed,
 * and has no per-caller limits (one address may be a proxy for many users; the denoiser's queue still bounds the
 * work): it logs that once at start. {@link HttpAuthFilter} and {@link GrpcAuthInterceptor} apply it at the edge.
 */
@ApplicationScoped
public class GatewaySecurity {
    private static final Logger LOG = Logger.getLogger(GatewaySecurity.class);

    private final ApiKeys keys;
    private final KeyLimiter limiter;

    GatewaySecurity(GatewayConfig config) {
        GatewayConfig.Gateway g = config.gateway();
        this.keys = g.apiKeysFile().map(ApiKeys::load).orElse(null);
        this.limiter = new KeyLimiter(g.limits().streamsPerKey(), g.limits().requestsPerKeyPerMinute(),
                System::nanoTime);
    }

    void onStart(@Observes StartupEvent ev) {
        if (keys == null) {
            LOG.warn("no medv.gateway.api-keys-file: the public gRPC and HTTP APIs answer anyone who reaches them, "
                    + "without per-caller limits (docs/security.md)");
        } else {
            LOG.infof("API keys required on the public ports (%d keys)", keys.size());
        }
    }

    /** True without a key file: every request passes. */
    boolean open() {
        return keys == null;
    }

    /** The key's name (its line) for an Authorization value, or empty when it is not an accepted key. */
    Optional<String> authenticate(String authorization) {
        return keys.check(authorization);
    }

    /** Admits one ask of the named key, or throws {@link KeyLimiter.Refused}. */
    KeyLimiter.Permit admit(String keyName) {
        return limiter.acquire(keyName);
    }

    /** Answers in flight for the named key. */
    int inFlight(String keyName) {
        return limiter.inFlight(keyName);
    }

    static final String UNAUTHENTICATED = "a valid API key is required: send the header 'Authorization: Bearer "
            + "<key>' (gRPC: metadata 'authorization')";
}
