package org.medv.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import org.medv.proto.v1.DenoiseEvent;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads every event of medv.denoise.steps and hands it to the registry, which keeps only this replica's requests.
 * The consumer assigns itself every partition of the topic: no consumer group, so no rebalance ever moves a
 * partition away and no event is skipped while partitions move (README "Routing"). At startup it positions each
 * partition at its end before the gateway reports ready, so everything published after a request is accepted is
 * read; a partition added to the topic later is read from its beginning (its events were all published after the
 * consumer started). Parsing and a map lookup per record: nothing here blocks on a client.
 */
@ApplicationScoped
public class StepsConsumer {
    private static final Logger LOG = Logger.getLogger(StepsConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ClientRegistry clients;
    private final Event<ReadinessChanged> changes;
    private final Map<String, Object> kafka;
    private final String topic;
    private final String clientId;
    private final Duration refresh;
    private volatile boolean positioned;
    private volatile int partitions;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    StepsConsumer(ClientRegistry clients, Event<ReadinessChanged> changes, GatewayConfig config,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.clients = clients;
        this.changes = changes;
        this.kafka = kafka;
        this.topic = config.topics().steps();
        this.clientId = "medv-gateway-" + config.gateway().instanceId() + "-steps";
        this.refresh = config.gateway().stepsPartitionsRefresh();
    }

    void onStart(@Observes StartupEvent ev) {
        thread = new Thread(this::run, "medv-steps-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent ev) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            // wakeup() ends a poll or a metadata wait; a retry pause is at most RETRY
            thread.join(Duration.ofSeconds(5).toMillis());
        }
    }

    /** Whether every partition of the topic is assigned and positioned (events published from now on are read). */
    public boolean positioned() {
        return positioned;
    }

    public int partitions() {
        return partitions;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            long nextRefresh = System.nanoTime();
            while (running) {
                try {
                    if (System.nanoTime() - nextRefresh >= 0) {
                        assignAll(c);
                        nextRefresh = System.nanoTime() + (positioned ? refresh : RETRY).toNanos();
                    }
                    if (!positioned) {
                        Thread.sleep(RETRY.toMillis()); // the topic does not exist yet (the denoiser creates it)
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                        relay(r.value());
                    }
                } catch (WakeupException | InterruptException | InterruptedException e) {
                    return;
                } catch (KafkaException e) {
                    // the client retries the broker itself; positions are kept, so nothing is skipped meanwhile
                    LOG.warnf("steps consumer: %s; retrying", e.toString());
                    Thread.sleep(RETRY.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the steps consumer stopped");
        } finally {
            positioned = false;
            changes.fire(new ReadinessChanged());
        }
    }

    /**
     * Assigns every partition of the topic: at the first assignment each is positioned at its end (resolved now, so
     * that readiness means "positioned"); a partition that appears later starts at its beginning.
     */
    private void assignAll(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
        Set<TopicPartition> all = new HashSet<>();
        for (PartitionInfo p : infos == null ? List.<PartitionInfo>of() : infos) {
            all.add(new TopicPartition(p.topic(), p.partition()));
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(c.assignment());
        if (added.isEmpty()) {
            return;
        }
        c.assign(all);
        if (positioned) {
            c.seekToBeginning(added);
        } else {
            c.seekToEnd(added);
        }
        for (TopicPartition tp : added) {
            c.position(tp, Duration.ofSeconds(10));
        }
        LOG.infof("steps consumer reads %s (%d partitions; added %s)", topic, all.size(), added);
        partitions = all.size();
        if (!positioned) {
            positioned = true;
            changes.fire(new ReadinessChanged());
        }
    }

    private void relay(byte[] payload) {
        DenoiseEvent e;
        try {
            e = DenoiseEvent.parseFrom(payload);
        } catch (InvalidProtocolBufferException ex) {
            LOG.warnf("skipping a record of %d bytes that is not a DenoiseEvent", payload.length);
            return;
        }
        clients.deliver(e);
    }

    /** The application's kafka.* settings, without a consumer group: this consumer assigns partitions itself. */
    private Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>(kafka);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the denoiser writes a final event and its answer record in one transaction: an aborted attempt (retried
        // after a broker outage) must never reach a client as a second final
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a partition whose position fell out of retention resumes at its end; the stall timer ends its requests
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // the denoiser creates the topic with its partition count; a consumer must not create it with the default
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // partitionsFor answers from cached metadata: refresh it as often as partitions are looked for
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) Math.min(refresh.toMillis(), Integer.MAX_VALUE));
        return p;
    }
}
