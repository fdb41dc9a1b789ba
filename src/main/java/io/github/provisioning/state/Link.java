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
 * @param escrow      the failed attempts and when the retry is due, or null when no failure waits (a retry without
 *                    a failure, such as a pending manager reference, is due in the next cycle)
 * @param intent      a create sent (or about to be) whose link is not saved yet, or null: every save that carries
 *                    none clears it
 */
public record Link(String sourceId, String targetId, String matchValue, boolean active, Map<String, JsonNode> values,
                   String lastCycle, String retryAction, String lastError, Escrow escrow, CreateIntent intent) {

    public static final String RETRY_REFRESH = "refresh";
    public static final String RETRY_DELETE = "delete";

    public Link {
        values = values == null ? Map.of() : Map.copyOf(values);
        if (escrow != null && retryAction == null) {
            throw new IllegalArgumentException("an escrow needs the retry action");
        }
    }

    /** A link without a create intent: saving it clears the one the row held. */
    public Link(String sourceId, String targetId, String matchValue, boolean active, Map<String, JsonNode> values,
                String lastCycle, String retryAction, String lastError, Escrow escrow) {
        this(sourceId, targetId, matchValue, active, values, lastCycle, retryAction, lastError, escrow, null);
    }

    /** A link without a failure in escrow: a success clears it. */
    public Link(String sourceId, String targetId, String matchValue, boolean active, Map<String, JsonNode> values,
                String lastCycle, String retryAction, String lastError) {
        this(sourceId, targetId, matchValue, active, values, lastCycle, retryAction, lastError, null);
    }

    /** Failed attempts since the last success. */
    public int failedAttempts() {
        return escrow == null ? 0 : escrow.attempts();
    }

    public boolean isLinked() {
        return targetId != null;
    }

    /** This link with a create intent (null: without one). */
    public Link withIntent(CreateIntent newIntent) {
        return new Link(sourceId, targetId, matchValue, active, values, lastCycle, retryAction, lastError, escrow,
                newIntent);
    }
}
