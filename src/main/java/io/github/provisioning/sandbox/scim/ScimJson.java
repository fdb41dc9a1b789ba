package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.utils.JsonUtils;

import java.io.UncheckedIOException;

/**
 * The one JSON mapper of the sandbox. It is the SCIM SDK's: its object nodes compare attribute names
 * case-insensitively, as RFC 7643 §2.1 requires, and the SDK's patch and filter code expect them.
 */
final class ScimJson {

    static final ObjectMapper MAPPER = JsonUtils.createObjectMapper();

    private ScimJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses a body that must be a JSON object; a syntax error is the client's (400 invalidSyntax). */
    static ObjectNode requestObject(String body) throws BadRequestException {
        if (body == null || body.isBlank()) {
            throw BadRequestException.invalidSyntax("The request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw BadRequestException.invalidSyntax("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw BadRequestException.invalidSyntax("The request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Lenient parse for test-side accessors: {@code null} for no body. */
    static JsonNode parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SCIM exception hidden inside a Jackson one (the SDK validates inside its JSON creators), if any. */
    static ScimException scimCause(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ScimException scim) {
                return scim;
            }
        }
        return null;
    }
}
