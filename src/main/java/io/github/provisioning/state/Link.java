package io.github.provisioning.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What the engine knows of one source object: the target object it is linked to and the values last provisioned
 * there (the base of the next diff).
 *
 * @param sourceId    the Graph object id
 * @param targetId    the SCIM id of the linked object, or null when not (yet) provisioned
 * @param matchValue  the matching attribute's value when last provisioned
 * @param active      whether the target account was last left active
 * @param values      the last successfully provisioned values, SCIM path → value
 * @param lastCycle   the cycle that last processed this object
 * @param retryAction non-null while a failed operation waits to be retried in a later cycle: {@code refresh} (read
 *                    the user again and provision it) or {@code delete}
 * @param lastError   the reason of the last failure, or null
 */
public record Link(String sourceId, String targetId, String matchValue, boolean active, Map<String, JsonNode> values,
                   String lastCycle, String retryAction, String lastError) {

    public static final String RETRY_REFRESH = "refresh";
    public static final String RETRY_DELETE = "delete";

    public Link {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public boolean isLinked() {
        return targetId != null;
    }
}
