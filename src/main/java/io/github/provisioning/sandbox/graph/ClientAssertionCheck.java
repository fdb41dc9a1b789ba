package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * How the Microsoft identity platform checks a client assertion ("certificate credentials"): a JWT signed RS256 or
 * PS256 by the key of a certificate uploaded to the app registration, named by its {@code x5t#S256} (or legacy
 * SHA-1 {@code x5t}) thumbprint, with {@code iss} = {@code sub} = the client id, {@code aud} = the token endpoint,
 * and now between {@code nbf} and {@code exp} (give or take Entra's five minutes of clock skew). Each refusal is the
 * AADSTS error Entra answers.
 */
final class ClientAssertionCheck {

    /** A refusal: the status, the OAuth error, the AADSTS code and its description. */
    record Refusal(int status, String error, int code, String description) {
    }

    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String DOCUMENTATION = " Review the documentation at"
            + " https://learn.microsoft.com/entra/identity-platform/certificate-credentials .";
    private static final DateTimeFormatter KEY_DATE =
            DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<X509Certificate> certificates;

    ClientAssertionCheck(List<X509Certificate> certificates) {
        this.certificates = certificates;
    }

    /**
     * @param audience the token endpoint the request came to
     * @return the refusal, or null when the assertion authenticates {@code clientId}
     */
    Refusal check(String type, String assertion, String clientId, String audience, Instant now) {
        if (type == null) {
            return new Refusal(400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'client_assertion_type'.");
        }
        if (!type.equals(ASSERTION_TYPE)) {
            return malformed("Invalid client_assertion_type '" + type + "'; expected '" + ASSERTION_TYPE + "'.");
        }
        String[] parts = assertion.split("\\.", -1);
        JsonNode header;
        JsonNode claims;
        try {
            if (parts.length != 3) {
                throw new IllegalArgumentException("not three parts");
            }
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (Exception e) {
            return malformed("JWT token is invalid or malformed.");
        }
        String alg = header.path("alg").asText("");
        if (!alg.equals("RS256") && !alg.equals("PS256")) {
            return malformed("JWT token is invalid or malformed. The signing algorithm '" + alg + "' is not"
                    + " supported: sign the client assertion with RS256 or PS256.");
        }
        String issuer = claims.path("iss").asText(null);
        String subject = claims.path("sub").asText(null);
        if (issuer != null && subject != null && !issuer.equals(subject)) {
            return invalidClient(50048, "Subject mismatches Issuer claim in the client assertion.");
        }
        if (subject == null || !subject.equalsIgnoreCase(clientId)) {
            return invalidClient(700021, "Client assertion application identifier doesn't match 'client_id'"
                    + " parameter." + DOCUMENTATION);
        }
        if (!audience.equals(claims.path("aud").asText(null))) {
            return invalidClient(700023, "Client assertion audience claim does not match Realm issuer."
                    + DOCUMENTATION);
        }
        String sha256 = header.path("x5t#S256").asText(null);
        String sha1 = header.path("x5t").asText(null);
        X509Certificate key = certificates.stream()
                .filter(c -> sha256 != null ? sha256.equals(thumbprint(c, "SHA-256")) : sha1 != null
                        && sha1.equals(thumbprint(c, "SHA-1")))
                .findFirst().orElse(null);
        String used = sha256 != null ? sha256 : sha1;
        if (key == null) {
            return invalidSignature("The key was not found.", used, null, clientId);
        }
        if (now.isBefore(key.getNotBefore().toInstant()) || now.isAfter(key.getNotAfter().toInstant())) {
            return invalidSignature("The key used is expired.", used, key, clientId);
        }
        if (!verifies(alg, parts, key)) {
            return invalidSignature("The provided signature value did not match the expected signature value.",
                    used, key, clientId);
        }
        if (!claims.path("exp").canConvertToLong() || !claims.path("nbf").canConvertToLong()) {
            return malformed("JWT token is invalid or malformed. The client assertion must carry exp and nbf.");
        }
        Instant notBefore = Instant.ofEpochSecond(claims.path("nbf").asLong());
        Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong());
        if (now.plus(CLOCK_SKEW).isBefore(notBefore) || !now.minus(CLOCK_SKEW).isBefore(expires)) {
            return invalidClient(700024, "Client assertion is not within its valid time range. Current time: " + now
                    + ", assertion valid from " + notBefore + ", expiry time of assertion " + expires + "."
                    + DOCUMENTATION);
        }
        return null;
    }

    private static boolean verifies(String alg, String[] parts, X509Certificate certificate) {
        try {
            Signature signature;
            if (alg.equals("PS256")) {
                signature = Signature.getInstance("RSASSA-PSS");
                signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            } else {
                signature = Signature.getInstance("SHA256withRSA");
            }
            signature.initVerify(certificate.getPublicKey());
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String thumbprint(X509Certificate certificate, String digest) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance(digest).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Refusal invalidSignature(String reason, String thumbprint, X509Certificate found, String clientId) {
        return invalidClient(700027, "Client assertion contains an invalid signature. [Reason - " + reason
                + ", Thumbprint of key used by client: '" + thumbprint + "'"
                + (found == null ? ", Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see"
                + " configured keys for app Id '" + clientId + "'."
                : ", Found key 'Start=" + KEY_DATE.format(found.getNotBefore().toInstant()) + ", End="
                + KEY_DATE.format(found.getNotAfter().toInstant()) + "'") + DOCUMENTATION + "]");
    }

    private static Refusal invalidClient(int code, String description) {
        return new Refusal(401, "invalid_client", code, description);
    }

    private static Refusal malformed(String description) {
        return new Refusal(400, "invalid_request", 50027, description);
    }
}
