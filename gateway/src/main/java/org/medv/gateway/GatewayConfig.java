package org.medv.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The gateway's settings (see README.md); application.properties -> this mapping -> the beans. */
@ConfigMapping(prefix = "medv")
public interface GatewayConfig {

    Model model();

    Gateway gateway();

    Vision vision();

    Topics topics();

    interface Model {
        /** The model directory [MEDV_MODEL_DIR]; the gateway reads only config.json and tokenizer.json from it. */
        Path dir();
    }

    interface Gateway {
        /** This replica's id: its Kafka consumer group and the gateway_id of its StartRequests. */
        String instanceId();

        /**
         * The denoiser replicas: {@code host:port,host:port} or {@code dns:///name:port} (every address the name
         * resolves to, e.g. a Kubernetes headless Service). Unset: the one of {@code quarkus.grpc.clients.denoiser}.
         */
        Optional<String> denoisers();

        /** How often a {@code dns:///} denoisers name is resolved again. */
        @WithDefault("10s")
        Duration denoisersRefresh();

        /** Upper bound for Vision.Encode (the client's deadline applies when sooner). */
        @WithDefault("60s")
        Duration visionTimeout();

        /** Upper bound for Denoiser.Start, which only validates and enqueues. */
        @WithDefault("10s")
        Duration startTimeout();

        /** How long a final event may wait for a client that never reads it before the gateway forgets it. */
        @WithDefault("60s")
        Duration undeliveredTtl();

        /**
         * How long a started request may go without a sign of life from its denoiser (the Start ack, then each of
         * its events) before the gateway ends it as FAILED (UNAVAILABLE) and cancels its generation.
         */
        @WithDefault("30s")
        Duration stallTimeout();

        /** The longest an HTTP answer (SSE stream or chat completion) may take before it ends as DEADLINE. */
        @WithDefault("10m")
        Duration sseMaxDuration();

        /** How often the steps consumer looks for partitions added to the topic (it reads those from the start). */
        @WithDefault("10s")
        Duration stepsPartitionsRefresh();

        /** Caps on the request's text and labels, checked before anything is tokenized; the per-key limits. */
        Limits limits();

        /**
         * The API keys the public ports accept, one per line ({@link ApiKeys}) [MEDV_GATEWAY_API_KEYS_FILE]; unset,
         * the gateway is open to anyone who reaches it (and says so once at start).
         */
        Optional<Path> apiKeysFile();

        /** TLS on the public gRPC and HTTP ports ({@link TlsConfigSourceFactory} maps it onto Quarkus' keys). */
        Tls tls();

        /** The OpenAI-compatible chat API ({@code /v1/chat/completions}, {@code /v1/models}). */
        OpenAi openai();
    }

    interface Limits {
        /** The question, or all the conversation's turns together, in characters. */
        @WithDefault("16384")
        int questionChars();

        /** Turns of a conversation. */
        @WithDefault("64")
        int turns();

        /** Labels of a request's metadata (OpenAI's limits for its metadata: 16 pairs, keys 64, values 512). */
        @WithDefault("16")
        int labels();

        @WithDefault("64")
        int labelKeyChars();

        @WithDefault("512")
        int labelValueChars();

        /** The metadata's correlation id. */
        @WithDefault("256")
        int correlationIdChars();

        /** Answers in flight at once per API key (only with medv.gateway.api-keys-file). */
        @WithDefault("8")
        int streamsPerKey();

        /** Asks started per API key in any 60 s (only with medv.gateway.api-keys-file). */
        @WithDefault("120")
        int requestsPerKeyPerMinute();
    }

    interface Tls {
        /** PEM certificate (chain) file; with {@link #key()} the public ports speak TLS only. */
        Optional<Path> cert();

        /** PEM private key file of {@link #cert()}. */
        Optional<Path> key();
    }

    interface OpenAi {
        /** The model id /v1/models lists and requests may name; default: the model directory's name. */
        Optional<String> modelId();

        /** Whether image parts may be http(s) URLs the gateway fetches (off: only data: URLs). */
        @WithDefault("false")
        boolean remoteImages();

        /** Upper bound for fetching one remote image. */
        @WithDefault("10s")
        Duration remoteImageTimeout();
    }

    interface Vision {
        @WithDefault("20971520")
        long maxImageBytes();
    }

    interface Topics {
        @WithDefault("medv.denoise.steps")
        String steps();

        @WithDefault("medv.answers")
        String answers();
    }
}
