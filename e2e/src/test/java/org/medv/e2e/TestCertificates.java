package org.medv.e2e;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A throwaway test CA and a server certificate it signs for {@code localhost} and {@code 127.0.0.1}, made at test
 * time with BouncyCastle (no openssl needed): {@code ca.pem} for the clients to trust, {@code server.pem} and
 * {@code server-key.pem} (PKCS#8) for the gateway. RSA 2048, valid for a day.
 */
record TestCertificates(Path ca, Path cert, Path key) {

    static TestCertificates write(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair caKeys = rsa();
            KeyPair serverKeys = rsa();
            Instant now = Instant.now();
            X500Name caName = new X500Name("CN=medv test CA");
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(
                    Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(
                    Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=localhost"),
                    serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            TestCertificates files = new TestCertificates(dir.resolve("ca.pem"), dir.resolve("server.pem"),
                    dir.resolve("server-key.pem"));
            Files.writeString(files.ca(), pem(sign(ca, caKeys.getPrivate())));
            Files.writeString(files.cert(), pem(sign(server, caKeys.getPrivate())));
            Files.writeString(files.key(), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                    serverKeys.getPrivate(), null)));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the test certificates", e);
        }
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static X509CertificateHolder sign(X509v3CertificateBuilder b, PrivateKey issuer)
            throws OperatorCreationException {
        return b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer));
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
