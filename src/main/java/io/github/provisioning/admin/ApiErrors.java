package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The admin API's error answer: {@code {"error": {"message": "..."}}} with a status, never a stack trace. */
final class ApiErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    static ApiReply error(int status, String message) {
        return new ApiReply(status, body(message));
    }

    static ObjectNode body(String message) {
        ObjectNode reply = JSON.createObjectNode();
        reply.putObject("error").put("message", message);
        return reply;
    }
}
