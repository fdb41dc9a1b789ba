package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The target's answer.
 *
 * @param status     HTTP status
 * @param body       the JSON body (an empty object when there was none or it was not JSON)
 * @param retryAfter the Retry-After header, or null
 */
public record ScimResponse(int status, JsonNode body, String retryAfter) {

    public boolean isSuccess() {
        return status >= 200 && status <= 299;
    }

    /** The SCIM error's detail and scimType, for the provisioning log. */
    public String errorReason() {
        String detail = body.path("detail").asText("");
        String scimType = body.path("scimType").asText("");
        String reason = "SCIM target answered " + status;
        if (!scimType.isEmpty()) {
            reason += " (" + scimType + ")";
        }
        return detail.isEmpty() ? reason : reason + ": " + detail;
    }
}
