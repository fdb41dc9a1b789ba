package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Test Connection found.
 *
 * @param ok        whether the target answered the probe as a SCIM endpoint that accepts the credentials and
 *                  honours the filter
 * @param diagnosis one sentence: what happened and what to check
 * @param request   the probe as sent, e.g. {@code GET /Users?filter=userName eq "…"}
 * @param status    the HTTP status of the answer; 0 when none came (or no token could be obtained to send it)
 */
public record ConnectionDiagnosis(boolean ok, String diagnosis, String request, int status) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code {"ok": …, "diagnosis": "…", "request": "…", "status": …}}. */
    public String json() {
        ObjectNode json = JSON.createObjectNode();
        json.put("ok", ok);
        json.put("diagnosis", diagnosis);
        json.put("request", request);
        json.put("status", status);
        return json.toString();
    }

    /** The one line {@code --test-connection} prints. */
    public String line() {
        return (ok ? "Test Connection succeeded: " : "Test Connection failed: ") + diagnosis;
    }
}
