package io.github.provisioning.cycle;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.provisioning.state.Escrow;
import java.time.Instant;
import java.util.List;

/**
 * One line of the provisioning log: one operation on one object, as Entra's provisioning logs record it.
 *
 * @param action             create, update, disable, delete or other
 * @param status             success, failure, skipped or warning
 * @param modifiedProperties the attributes written, with old and new values
 * @param error              null unless status is failure
 * @param retries            every request that had to be sent again in this operation
 * @param escrow             on failure: the failed attempts so far and the next retry (null when permanent)
 * @param dryRun             planned by a dry run: nothing was sent, and the outcome is the one it would have had
 */
public record LogEntry(Instant time, String cycleId, String changeId, String objectType, String action, String status,
                       String sourceId, String sourceIdentity, String targetId, String reason,
                       List<ModifiedProperty> modifiedProperties, Error error, long durationMs,
                       List<Retry> retries, Escrow escrow, boolean dryRun) {

    public LogEntry(Instant time, String cycleId, String changeId, String objectType, String action, String status,
                    String sourceId, String sourceIdentity, String targetId, String reason,
                    List<ModifiedProperty> modifiedProperties, Error error, long durationMs, List<Retry> retries,
                    Escrow escrow) {
        this(time, cycleId, changeId, objectType, action, status, sourceId, sourceIdentity, targetId, reason,
                modifiedProperties, error, durationMs, retries, escrow, false);
    }

    public LogEntry(Instant time, String cycleId, String changeId, String objectType, String action, String status,
                    String sourceId, String sourceIdentity, String targetId, String reason,
                    List<ModifiedProperty> modifiedProperties, Error error, long durationMs, List<Retry> retries) {
        this(time, cycleId, changeId, objectType, action, status, sourceId, sourceIdentity, targetId, reason,
                modifiedProperties, error, durationMs, retries, null);
    }

    /** A request that was sent again: what it was, what came back, and how long we waited. */
    public record Retry(String request, int attempt, int status, String reason, long delayMs) {
    }

    /** A property a write changes; the log and the admin API write it as {@code {name, old, new}}. */
    public record ModifiedProperty(String name, Object old, @JsonProperty("new") Object value) {
    }

    public record Error(String code, String reason) {
    }
}
