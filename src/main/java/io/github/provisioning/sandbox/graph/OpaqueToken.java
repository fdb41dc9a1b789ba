package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/** State carried inside $skiptoken and $deltatoken values: base64url JSON, opaque to clients. */
final class OpaqueToken {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpaqueToken() {
    }

    static String encode(ObjectNode state) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(state));
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static Optional<ObjectNode> decode(String token) {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(token));
            return node instanceof ObjectNode state ? Optional.of(state) : Optional.empty();
        } catch (IllegalArgumentException | IOException garbage) {
            return Optional.empty();
        }
    }
}
