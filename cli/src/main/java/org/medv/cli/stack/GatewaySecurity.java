package org.medv.cli.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The gateways' public-port security for {@code ./medv up}: TLS from PEM files ({@code medv.gateway.tls.cert} /
 * {@code .key}), the API-key file ({@code medv.gateway.api-keys-file}) and the per-key limits
 * ({@code medv.gateway.limits.*}, with keys only; null keeps the gateway's default); any part may be null. With TLS the stack
 * probes the gateways' health over HTTPS, trusting exactly the configured certificate (pinned, whatever host name it
 * was issued for, since the probe connects to localhost).
 */
public record GatewaySecurity(Path tlsCert, Path tlsKey, Path apiKeys, Integer streamsPerKey,
                              Integer requestsPerKeyPerMinute) {
    public static final GatewaySecurity NONE = new GatewaySecurity(null, null, null);
    /** Upper bound of either per-key limit (a larger one is no limit: leave the flag out instead). */
    public static final int MAX_LIMIT = 1_000_000;

    public GatewaySecurity(Path tlsCert, Path tlsKey, Path apiKeys) {
        this(tlsCert, tlsKey, apiKeys, null, null);
    }

    public GatewaySecurity {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (apiKeys == null && (streamsPerKey != null || requestsPerKeyPerMinute != null)) {
            throw new IllegalArgumentException("--" + (streamsPerKey != null ? "streams-per-key"
                    : "requests-per-key-per-minute") + " needs --api-keys: without keys there are no per-caller"
                    + " limits (docs/security.md)");
        }
        limit("streams-per-key", streamsPerKey);
        limit("requests-per-key-per-minute", requestsPerKeyPerMinute);
        for (Path p : new Path[] {tlsCert, tlsKey, apiKeys}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p);
            }
        }
    }

    private static void limit(String flag, Integer value) {
        if (value != null && (value < 1 || value > MAX_LIMIT)) {
            throw new IllegalArgumentException("--" + flag + " must be 1.." + MAX_LIMIT + ", got " + value);
        }
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** {@code https} with TLS, else {@code http}. */
    public String httpScheme() {
        return tls() ? "https" : "http";
    }

    /** The gateway's -D settings (absolute paths: the gateways run from the repository root). */
    List<String> properties() {
        List<String> p = new ArrayList<>();
        if (tls()) {
            p.add("-Dmedv.gateway.tls.cert=" + tlsCert.toAbsolutePath());
            p.add("-Dmedv.gateway.tls.key=" + tlsKey.toAbsolutePath());
        }
        if (apiKeys != null) {
            p.add("-Dmedv.gateway.api-keys-file=" + apiKeys.toAbsolutePath());
        }
        if (streamsPerKey != null) {
            p.add("-Dmedv.gateway.limits.streams-per-key=" + streamsPerKey);
        }
        if (requestsPerKeyPerMinute != null) {
            p.add("-Dmedv.gateway.limits.requests-per-key-per-minute=" + requestsPerKeyPerMinute);
        }
        return p;
    }

    /** An HTTP client for the gateways' health: with TLS it trusts the configured certificate only. */
    HttpClient healthClient() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls()) {
            try {
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, new javax.net.ssl.TrustManager[] {new Pinned(leaf(tlsCert))}, null);
                b.sslContext(ssl);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use " + tlsCert + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private static X509Certificate leaf(Path pem) throws CertificateException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pem, e);
        }
    }

    /** Accepts a server whose certificate is exactly the pinned one; trusts nothing else, signs nothing. */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final X509Certificate pinned;

        Pinned(X509Certificate pinned) {
            this.pinned = pinned;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("not the gateway's configured certificate");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a health probe is never a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a health probe is never a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a health probe is never a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
