package org.medv.gateway;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.medv.proto.v1.DenoiserGrpc;

import java.io.File;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The denoiser replicas this gateway sends work to ({@link DenoiserTargets}), each with its own channel and health
 * watch. {@link #take} picks, among the replicas whose health is SERVING, the one holding the fewest of this
 * gateway's requests, round-robin among equals; the request keeps its replica for Cancel. The pool can take
 * requests while one replica is serving. A {@code dns:///} name is resolved again every
 * {@code medv.gateway.denoisers-refresh}: new addresses get a replica, vanished ones take no new work. The listed
 * replicas' channels are secured as the single configured client is ({@link #credentials}): mutual TLS when
 * {@code quarkus.grpc.clients.denoiser.ssl.*} says so.
 */
@ApplicationScoped
public class DenoiserPool {
    private static final Logger LOG = Logger.getLogger(DenoiserPool.class);
    /** The name of the replica behind {@code quarkus.grpc.clients.denoiser} when no list is configured. */
    static final String CONFIGURED = "denoiser-service";
    private static final int MAX_INBOUND = 64 << 20;

    @Inject
    @GrpcClient("denoiser")
    Channel configured;

    private final GatewayTimers timers;
    private final Event<ReadinessChanged> changes;
    private final GatewayConfig.Gateway config;
    private ChannelCredentials credentials;
    private String authority;
    /** By name, in the order they were added; guarded by this. */
    private final Map<String, DenoiserReplica> replicas = new LinkedHashMap<>();
    private int next;
    private ScheduledExecutorService resolver;

    DenoiserPool(GatewayTimers timers, Event<ReadinessChanged> changes, GatewayConfig config) {
        this.timers = timers;
        this.changes = changes;
        this.config = config.gateway();
    }

    void onStart(@Observes StartupEvent ev) {
        var targets = DenoiserTargets.parse(config.denoisers());
        if (targets.isEmpty()) {
            add(CONFIGURED, configured, false);
            return;
        }
        DenoiserTargets t = targets.get();
        Config c = ConfigProvider.getConfig();
        credentials = credentials(c);
        authority = c.getOptionalValue(CLIENT + "override-authority", String.class).orElse(null);
        if (!t.dns()) {
            t.fixed().forEach(a -> add(a.toString(), channel(a), true));
            LOG.infof("denoisers: %s", t.fixed());
            return;
        }
        resolver = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "medv-gateway-denoiser-dns");
            th.setDaemon(true);
            return th;
        });
        long every = config.denoisersRefresh().toMillis();
        resolver.scheduleWithFixedDelay(() -> refresh(t), 0, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (resolver != null) {
            resolver.shutdownNow();
        }
        List<DenoiserReplica> all;
        synchronized (this) {
            all = new ArrayList<>(replicas.values());
            replicas.clear();
        }
        all.forEach(DenoiserReplica::close);
    }

    /**
     * A place on the least-loaded serving replica (round-robin among equals), skipping {@code tried}; UNAVAILABLE
     * naming each replica's problem when none is serving.
     */
    public synchronized DenoiserReplica.Lease take(Set<DenoiserReplica> tried) {
        List<DenoiserReplica> all = new ArrayList<>(replicas.values());
        int n = all.size();
        int best = -1;
        for (int i = 0; i < n; i++) {
            int at = (next + i) % n;
            DenoiserReplica r = all.get(at);
            if (r.serving() && !tried.contains(r) && (best < 0 || r.inFlight() < all.get(best).inFlight())) {
                best = at;
            }
        }
        if (best < 0) {
            throw Status.UNAVAILABLE.withDescription(tried.isEmpty() ? problem()
                    : "no other denoiser replica is serving").asRuntimeException();
        }
        next = (best + 1) % n;
        return all.get(best).lease();
    }

    /** Why no replica can take requests now (each replica's reason), or null when one can. */
    public synchronized String problem() {
        if (replicas.isEmpty()) {
            return "denoiser-service: no replica known yet (" + DenoiserTargets.KEY + ")";
        }
        if (replicas.values().stream().anyMatch(DenoiserReplica::serving)) {
            return null;
        }
        if (replicas.size() == 1) {
            return replicas.values().iterator().next().problem();
        }
        return "no denoiser replica is serving: " + replicas.values().stream().map(DenoiserReplica::problem)
                .collect(Collectors.joining(", "));
    }

    /** Each replica's state as readiness shows it: {@code serving, N in flight} or its problem. */
    public synchronized Map<String, String> states() {
        Map<String, String> m = new LinkedHashMap<>();
        for (DenoiserReplica r : replicas.values()) {
            m.put(r.name(), r.serving() ? "serving, " + r.inFlight() + " in flight" : r.problem());
        }
        return m;
    }

    private void refresh(DenoiserTargets t) {
        List<DenoiserTargets.Address> now;
        try {
            now = t.resolve();
        } catch (UnknownHostException e) {
            // a headless name with no ready pod does not resolve: keep the replicas known, their health says more
            LOG.infof("denoisers: %s does not resolve (%s); keeping the %d known", t.dnsName(), e.getMessage(),
                    replicaCount());
            return;
        }
        Set<String> names = now.stream().map(Object::toString).collect(Collectors.toSet());
        List<DenoiserReplica> gone = new ArrayList<>();
        boolean changed = false;
        synchronized (this) {
            for (DenoiserTargets.Address a : now) {
                DenoiserReplica known = replicas.get(a.toString());
                if (known == null) {
                    add(a.toString(), channel(a), true);
                    LOG.infof("denoisers: %s resolves to %s, added", t.dnsName(), a);
                } else if (!known.listed()) {
                    known.listed(true);
                    changed = true;
                }
            }
            for (DenoiserReplica r : replicas.values()) {
                if (!names.contains(r.name()) && r.listed()) {
                    r.listed(false);
                    changed = true;
                    LOG.infof("denoisers: %s no longer resolves to %s; it takes no new requests", t.dnsName(),
                            r.name());
                }
            }
            // one that left holding none of our requests is closed (it is added again if it comes back)
            replicas.values().removeIf(r -> !names.contains(r.name()) && r.inFlight() == 0 && gone.add(r));
        }
        gone.forEach(DenoiserReplica::close);
        if (changed) {
            changes.fire(new ReadinessChanged());
        }
    }

    private synchronized int replicaCount() {
        return replicas.size();
    }

    private synchronized void add(String name, Channel channel, boolean owned) {
        HealthWatch health = new HealthWatch(name.equals(CONFIGURED) ? CONFIGURED : "denoiser " + name,
                DenoiserGrpc.SERVICE_NAME, channel, timers, () -> changes.fire(new ReadinessChanged()));
        DenoiserReplica r = new DenoiserReplica(name, channel, owned, health);
        replicas.put(name, r);
        r.watch();
    }

    private Channel channel(DenoiserTargets.Address a) {
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilderForAddress(a.host(), a.port(), credentials)
                .maxInboundMessageSize(MAX_INBOUND);
        if (authority != null) {
            b.overrideAuthority(authority); // a headless Service's pod addresses are not in the certificates' names
        }
        return b.build();
    }

    /** The prefix of the configured denoiser client's settings, which the listed replicas' channels follow. */
    static final String CLIENT = "quarkus.grpc.clients.denoiser.";

    /**
     * As Quarkus decides for the configured client: TLS when {@code quarkus.grpc.clients.denoiser.plain-text} is
     * false, or when {@code ssl.trust-store} or {@code ssl.certificate} is set and {@code plain-text} is not true;
     * otherwise plaintext ({@code negotiation-type} alone decides nothing: its default is {@code tls} even for a
     * plaintext client). With TLS: trust {@code ssl.trust-store} (PEM; the JVM's trust otherwise) and present
     * {@code ssl.certificate} with {@code ssl.key} (PEM) when given: the settings {@code ./medv up --internal-tls-dir}
     * passes the gateway.
     *
     * @throws IllegalStateException naming the setting whose file cannot be read, or a certificate without its key
     */
    static ChannelCredentials credentials(Config c) {
        Optional<Boolean> plainText = c.getOptionalValue(CLIENT + "plain-text", Boolean.class);
        Optional<String> trust = c.getOptionalValue(CLIENT + "ssl.trust-store", String.class);
        Optional<String> cert = c.getOptionalValue(CLIENT + "ssl.certificate", String.class);
        Optional<String> key = c.getOptionalValue(CLIENT + "ssl.key", String.class);
        boolean tls = plainText.map(p -> !p).orElse(trust.isPresent() || cert.isPresent());
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalStateException(CLIENT + "ssl.certificate and " + CLIENT + "ssl.key go together");
        }
        String reading = CLIENT + "ssl.trust-store";
        try {
            if (trust.isPresent()) {
                b.trustManager(new File(trust.get()));
            }
            if (cert.isPresent()) {
                reading = CLIENT + "ssl.certificate / ssl.key";
                b.keyManager(new File(cert.get()), new File(key.get()));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + reading + ": " + e.getMessage(), e);
        }
        return b.build();
    }
}
