package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine's certificate credential for Microsoft Graph: an RSA private key and its X.509 certificate, read from a
 * PEM or PKCS#12 file, which signs the {@code client_assertion} of each token request as the Microsoft identity
 * platform documents it ("certificate credentials"): a JWT signed PS256, with the {@code x5t#S256} header (the
 * base64url SHA-256 of the DER certificate), {@code aud} the token endpoint, {@code iss} = {@code sub} = the client
 * id, {@code nbf} = {@code iat} = now, {@code exp} 10 minutes later, and a fresh {@code jti}. Neither the key nor an
 * assertion is ever shown by {@link #toString()}.
 */
public final class ClientCertificate {

    /** The documented most: "keep it short - 5-10 minutes after nbf at most". */
    static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** PS256: RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5). */
    private static final PSSParameterSpec PS256 =
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final String thumbprint;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException when the key is not an RSA key, or does not belong to the certificate
     */
    public ClientCertificate(PrivateKey key, X509Certificate certificate, Clock clock) {
        if (!(key instanceof RSAPrivateKey)) {
            throw new IllegalArgumentException("the private key is " + key.getAlgorithm() + ", not RSA: Entra signs"
                    + " and checks client assertions with RSA keys (PS256 or RS256)");
        }
        if (!belongsTo(key, certificate)) {
            throw new IllegalArgumentException("the private key does not belong to the certificate ("
                    + certificate.getSubjectX500Principal().getName() + ")");
        }
        this.key = key;
        this.certificate = certificate;
        this.thumbprint = thumbprint(certificate);
        this.clock = clock;
    }

    /**
     * Reads a PEM file (a {@code CERTIFICATE} and an unencrypted PKCS#8 {@code PRIVATE KEY}, in any order) or a
     * PKCS#12 file (the first entry with a key), the password opening a PKCS#12 file.
     *
     * @param password the PKCS#12 password, or null
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ClientCertificate read(Path file, String password, Clock clock) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().equals(file.toString()) ? "" : ": " + e.getMessage())
                    + ")");
        }
        String text = new String(content, StandardCharsets.US_ASCII);
        try {
            ClientCertificate read = text.contains("-----BEGIN ") ? fromPem(text, clock)
                    : fromPkcs12(content, password, clock);
            Instant expired = read.certificate.getNotAfter().toInstant();
            if (clock.instant().isAfter(expired)) {
                // Entra refuses an expired key's assertions (AADSTS700027 "The key used is expired"): say so now.
                throw new IllegalArgumentException("the certificate ("
                        + read.certificate.getSubjectX500Principal().getName() + ") expired on " + expired
                        + ": upload a new one to the app registration and use it here");
            }
            return read;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The signed JWT for one token request to {@code tokenUrl}: fresh {@code jti}, valid for 10 minutes from now. */
    public String assertion(String clientId, String tokenUrl) {
        Instant now = clock.instant();
        ObjectNode header = JSON.createObjectNode();
        header.put("alg", "PS256");
        header.put("typ", "JWT");
        header.put("x5t#S256", thumbprint);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("aud", tokenUrl);
        claims.put("iss", clientId);
        claims.put("sub", clientId);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", now.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
        String signingInput = base64url(header) + "." + base64url(claims);
        try {
            Signature signature = Signature.getInstance("RSASSA-PSS");
            signature.setParameter(PS256);
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign the client assertion: " + e.getMessage(), e);
        }
    }

    /** The base64url SHA-256 thumbprint of the certificate's DER encoding: the assertion's {@code x5t#S256}. */
    public String thumbprint() {
        return thumbprint;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    static String thumbprint(X509Certificate certificate) {
        try {
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot hash the certificate", e);
        }
    }

    @Override
    public String toString() {
        return "ClientCertificate[" + certificate.getSubjectX500Principal().getName() + ", x5t#S256=" + thumbprint + "]";
    }

    private static ClientCertificate fromPem(String text, Clock clock) {
        List<X509Certificate> certificates = new ArrayList<>();
        PrivateKey key = null;
        Matcher block = PEM_BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            switch (type) {
                case "CERTIFICATE" -> certificates.add(certificate(der));
                case "PRIVATE KEY" -> key = rsaKey(der);
                case "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY" -> throw new IllegalArgumentException("the "
                        + type + " block is not read: give the key as an unencrypted PKCS#8 PRIVATE KEY block (openssl"
                        + " pkcs8 -topk8 -nocrypt), or the key and certificate as a PKCS#12 file with"
                        + " graph.client-certificate-password");
                default -> {
                }
            }
        }
        if (certificates.isEmpty() || key == null) {
            throw new IllegalArgumentException("a PEM file must hold the certificate (BEGIN CERTIFICATE) and its"
                    + " private key (BEGIN PRIVATE KEY); " + (certificates.isEmpty() ? "no certificate" : "no private key")
                    + " found");
        }
        // A chain may follow the certificate: use the one the key belongs to.
        for (X509Certificate certificate : certificates) {
            if (belongsTo(key, certificate)) {
                return new ClientCertificate(key, certificate, clock);
            }
        }
        return new ClientCertificate(key, certificates.get(0), clock);
    }

    private static ClientCertificate fromPkcs12(byte[] content, String password, Clock clock) {
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(content), secret);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password")
                    ? "the PKCS#12 file does not open with graph.client-certificate-password"
                    + (password == null ? " (not set)" : "")
                    : "neither PEM nor a PKCS#12 file (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable PKCS#12 file (" + e.getMessage() + ")");
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    Key key = store.getKey(alias, secret);
                    if (key instanceof PrivateKey privateKey && store.getCertificate(alias) instanceof X509Certificate x509) {
                        return new ClientCertificate(privateKey, x509, clock);
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open the private key in the PKCS#12 file (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException("the PKCS#12 file holds no private key with its certificate");
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the CERTIFICATE block is not an X.509 certificate (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey rsaKey(byte[] der) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the PRIVATE KEY block is not a PKCS#8 RSA key (" + e.getMessage() + ")");
        }
    }

    /** Whether a signature made with the key verifies with the certificate's public key. */
    private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
        try {
            byte[] probe = "provisioning".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update(probe);
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signer.sign());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String base64url(ObjectNode json) {
        try {
            return BASE64URL.encodeToString(JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
