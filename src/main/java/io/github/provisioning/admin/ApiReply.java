package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An admin API answer: an HTTP status and a body that the {@code admin-reply} route marshals to JSON with Camel's
 * Jackson data format (a Jackson tree, or a record such as {@code ConnectionDiagnosis}).
 */
public record ApiReply(int status, Object body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body as JSON text, as the route writes it. */
    public String json() {
        return JSON.valueToTree(body).toString();
    }
}
