package org.medv.cli.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Mutual TLS between the gateway and the model services, from a directory of PEM files:
 * <pre>
 *   ca.crt                        the CA that issued every certificate below
 *   vision.crt   vision.key       vision-service's server certificate (subject alt. name: localhost) and key
 *   denoiser.crt denoiser.key     denoiser-service's
 *   gateway.crt  gateway.key      the certificate the gateway presents to both as a client
 * </pre>
 * Keys are unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). The vision and denoiser gRPC servers then
 * accept TLS only and require a client certificate issued by the CA ({@code quarkus.grpc.server.ssl.*},
 * {@code client-auth=REQUIRED}); the gateway's gRPC clients present {@code gateway.crt} and trust only the CA
 * ({@code quarkus.grpc.clients.<name>.ssl.*}). Quarkus' separate gRPC server reads its trust store as PKCS#12 or JKS
 * only, so the CA is copied into a PKCS#12 file per service under the run directory; it holds no secret (its password only
 * guards its integrity), so the password travels on the command line.
 */
public final class InternalTls {
    /** The services that take part, as named in the directory: their gRPC clients in the gateway share the names. */
    static final List<String> SERVERS = List.of("vision", "denoiser");
    static final String CLIENT = "gateway";

    private final Path dir;
    /** Each service's trust store password: written once, shared by its processes (several denoisers). */
    private final Map<String, String> trustStorePasswords = new HashMap<>();

    private InternalTls(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /**
     * Checks that every file is there and that {@code ca.crt} parses.
     *
     * @throws IllegalArgumentException naming the missing or unreadable file
     */
    public static InternalTls from(Path dir) {
        InternalTls tls = new InternalTls(dir);
        List<Path> needed = new ArrayList<>(List.of(tls.ca()));
        for (String name : concat(SERVERS, CLIENT)) {
            needed.add(tls.cert(name));
            needed.add(tls.key(name));
        }
        for (Path p : needed) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("--internal-tls-dir: " + p + " is missing (the directory holds "
                        + "ca.crt and <service>.crt/.key for vision, denoiser and gateway)");
            }
        }
        tls.caCertificates();
        return tls;
    }

    /**
     * -D settings for a model service's gRPC server ({@code vision} or {@code denoiser}); the same for every process
     * of one service.
     */
    synchronized List<String> serverProperties(String name, Path runDir) {
        Path trustStore = runDir.resolve("internal-tls").resolve(name + "-ca.p12");
        // once per service: a second denoiser's start must not rewrite the file under the first one's password
        String password = trustStorePasswords.computeIfAbsent(name, n -> writeTrustStore(trustStore));
        return List.of("-Dquarkus.grpc.server.ssl.certificate=" + cert(name),
                "-Dquarkus.grpc.server.ssl.key=" + key(name),
                "-Dquarkus.grpc.server.ssl.trust-store=" + trustStore,
                "-Dquarkus.grpc.server.ssl.trust-store-type=pkcs12",
                "-Dquarkus.grpc.server.ssl.trust-store-password=" + password,
                "-Dquarkus.grpc.server.ssl.client-auth=REQUIRED");
    }

    /** -D settings for the gateway's gRPC clients of vision and denoiser. */
    List<String> clientProperties() {
        List<String> p = new ArrayList<>();
        for (String server : SERVERS) {
            String c = "-Dquarkus.grpc.clients." + server;
            p.add(c + ".negotiation-type=tls");
            p.add(c + ".ssl.trust-store=" + ca());
            p.add(c + ".ssl.certificate=" + cert(CLIENT));
            p.add(c + ".ssl.key=" + key(CLIENT));
        }
        return p;
    }

    Path ca() {
        return dir.resolve("ca.crt");
    }

    Path cert(String name) {
        return dir.resolve(name + ".crt");
    }

    Path key(String name) {
        return dir.resolve(name + ".key");
    }

    private List<? extends Certificate> caCertificates() {
        try (InputStream in = Files.newInputStream(ca())) {
            List<? extends Certificate> certs = new ArrayList<>(
                    CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("--internal-tls-dir: " + ca() + " holds no certificate");
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--internal-tls-dir: " + ca() + " is not a PEM certificate ("
                    + e.getMessage() + ")");
        }
    }

    /** Writes the CA into a PKCS#12 trust store (rewritten at each start) and returns its fresh password. */
    private String writeTrustStore(Path file) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<? extends Certificate> certs = caCertificates();
            for (int i = 0; i < certs.size(); i++) {
                ks.setCertificateEntry("medv-internal-ca-" + i, certs.get(i));
            }
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                ks.store(out, password.toCharArray());
            }
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a PKCS#12 trust store from " + ca(), e);
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }
}
