package io.github.provisioning.graph;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the engine proves itself to the Microsoft identity platform: exactly one of a client secret
 * ({@code graph.client-secret}) or a certificate ({@code graph.client-certificate}, a PEM or PKCS#12 file, with
 * {@code graph.client-certificate-password} for a protected PKCS#12 file). A mode is chosen by any of its settings,
 * so settings of both are an error rather than one silently winning. No {@code toString} shows a secret or a key.
 */
public sealed interface GraphCredential {

    String CLIENT_SECRET = "graph.client-secret";
    String CLIENT_CERTIFICATE = "graph.client-certificate";
    String CLIENT_CERTIFICATE_PASSWORD = "graph.client-certificate-password";
    String CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** The form fields that authenticate the client in one token request to {@code tokenUrl}. */
    String authentication(String clientId, String tokenUrl);

    /** The settings of this mode, to name when the token endpoint rejects them. */
    String settings();

    /** A client secret, sent in the token request body. */
    record Secret(String secret) implements GraphCredential {

        @Override
        public String authentication(String clientId, String tokenUrl) {
            return "client_secret=" + encode(secret);
        }

        @Override
        public String settings() {
            return CLIENT_SECRET;
        }

        @Override
        public String toString() {
            return "Secret[" + CLIENT_SECRET + "]";
        }
    }

    /** A certificate: each token request carries a freshly signed client assertion. */
    record Certificate(ClientCertificate certificate) implements GraphCredential {

        @Override
        public String authentication(String clientId, String tokenUrl) {
            return "client_assertion_type=" + encode(CLIENT_ASSERTION_TYPE)
                    + "&client_assertion=" + encode(certificate.assertion(clientId, tokenUrl));
        }

        @Override
        public String settings() {
            return CLIENT_CERTIFICATE + " (x5t#S256 " + certificate.thumbprint() + ")";
        }
    }

    /**
     * The setting the chosen mode still needs; empty when it is complete.
     *
     * @throws IllegalArgumentException when settings of both modes are set
     */
    static List<String> missing(Function<String, Optional<String>> setting) {
        boolean secret = setting.apply(CLIENT_SECRET).isPresent();
        boolean certificate = setting.apply(CLIENT_CERTIFICATE).isPresent();
        boolean password = setting.apply(CLIENT_CERTIFICATE_PASSWORD).isPresent();
        if (secret && (certificate || password)) {
            List<String> set = new ArrayList<>(List.of(CLIENT_SECRET));
            if (certificate) {
                set.add(CLIENT_CERTIFICATE);
            }
            if (password) {
                set.add(CLIENT_CERTIFICATE_PASSWORD);
            }
            throw new IllegalArgumentException("Microsoft Graph authentication is configured twice ("
                    + String.join(", ", set) + " are set). Set exactly one of: " + CLIENT_SECRET + " (a client"
                    + " secret); " + CLIENT_CERTIFICATE + " (a PEM or PKCS#12 file with the certificate and its private"
                    + " key, and " + CLIENT_CERTIFICATE_PASSWORD + " for a protected PKCS#12 file).");
        }
        if (password && !certificate) {
            return List.of(CLIENT_CERTIFICATE + " (" + CLIENT_CERTIFICATE_PASSWORD + " is set)");
        }
        return secret || certificate ? List.of() : List.of(CLIENT_SECRET + " (or " + CLIENT_CERTIFICATE + ")");
    }

    /**
     * The credential the settings describe; a certificate file is read now, so that a missing or unreadable one is
     * named at start-up. {@code setting} answers a name's trimmed value, empty when it is unset or blank.
     *
     * @throws IllegalArgumentException naming the settings that are missing or in conflict, or the file's fault
     */
    static GraphCredential from(Function<String, Optional<String>> setting, Clock clock) {
        List<String> missing = missing(setting);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Missing required setting: " + missing.get(0));
        }
        Optional<String> secret = setting.apply(CLIENT_SECRET);
        if (secret.isPresent()) {
            return new Secret(secret.get());
        }
        Path file = Path.of(setting.apply(CLIENT_CERTIFICATE).orElseThrow());
        try {
            return new Certificate(ClientCertificate.read(file, setting.apply(CLIENT_CERTIFICATE_PASSWORD).orElse(null),
                    clock));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Setting " + CLIENT_CERTIFICATE + ": " + e.getMessage(), e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
