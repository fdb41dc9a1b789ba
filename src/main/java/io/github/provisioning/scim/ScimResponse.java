package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The target's answer, or the lack of one.
 *
 * @param status         HTTP status; 0 when no answer came (connection refused or reset, timeout, lost reply)
 * @param body           the JSON body (an empty object when there was none or it was not JSON)
 * @param retryAfter     the Retry-After header, or null
 * @param transportError why no answer came, or null
 */
public record ScimResponse(int status, JsonNode body, String retryAfter, String transportError) {

    public ScimResponse(int status, JsonNode body, String retryAfter) {
        this(status, body, retryAfter, null);
    }

    public boolean isSuccess() {
        return status >= 200 && status <= 299;
    }

    public boolean isNoAnswer() {
        return status == 0;
    }

    /** 401 and 403: the target rejects our credentials; no object can succeed, so the cycle stops. */
    public boolean isCredentialsRejected() {
        return status == 401 || status == 403;
    }

    /** Worth the same request again after a pause: throttling, a server error, or no answer at all. */
    public boolean isTransient() {
        return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** The SCIM error's detail and scimType, for the provisioning log. */
    public String errorReason() {
        if (isNoAnswer()) {
            return "no answer from the SCIM target: " + transportError;
        }
        String detail = body.path("detail").asText("");
        String scimType = body.path("scimType").asText("");
        String reason = "SCIM target answered " + status;
        if (!scimType.isEmpty()) {
            reason += " (" + scimType + ")";
        }
        return detail.isEmpty() ? reason : reason + ": " + detail;
    }
}
