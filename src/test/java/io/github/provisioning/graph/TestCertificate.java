package io.github.provisioning.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway RSA key pair and self-signed certificate, made by the JDK's keytool at test time: as a PKCS#12 file
 * with its password, and as a PEM file holding the certificate and the unencrypted PKCS#8 key.
 */
public record TestCertificate(Path pkcs12, String password, Path pem, PrivateKey key, X509Certificate certificate) {

    private static final Map<String, TestCertificate> NAMED = new ConcurrentHashMap<>();

    /**
     * A certificate valid for two days, made the first time a test of this JVM asks for {@code name} (keytool takes
     * a second or two), its files under target/.
     */
    public static TestCertificate named(String name) {
        return NAMED.computeIfAbsent(name, n -> {
            try {
                Files.createDirectories(Path.of("target"));
                return generate(Files.createTempDirectory(Path.of("target"), "test-certificate-"), n, 2);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A certificate valid from now for {@code days} days, its files in {@code dir}. */
    public static TestCertificate generate(Path dir, String name, int days) {
        return generate(dir, name, "+0d", days);
    }

    /** A certificate valid from {@code start} (keytool's {@code -startdate}, e.g. {@code -3d}) for {@code days} days. */
    public static TestCertificate generate(Path dir, String name, String start, int days) {
        String password = "p12-" + UUID.randomUUID();
        Path pkcs12 = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        try {
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "RSA",
                    "-keysize", "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=" + name, "-startdate", start, "-validity",
                    String.valueOf(days), "-storetype", "PKCS12", "-keystore", pkcs12.toString(), "-storepass",
                    password, "-keypass", password).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pkcs12)) {
                store.load(in, password.toCharArray());
            }
            PrivateKey key = (PrivateKey) store.getKey(name, password.toCharArray());
            X509Certificate certificate = (X509Certificate) store.getCertificate(name);
            Path pem = dir.resolve(name + ".pem");
            Files.writeString(pem, pem("CERTIFICATE", certificate.getEncoded()) + pem("PRIVATE KEY", key.getEncoded()));
            return new TestCertificate(pkcs12, password, pem, key, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
