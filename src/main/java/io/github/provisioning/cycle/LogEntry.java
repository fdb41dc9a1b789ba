package io.github.provisioning.cycle;

import java.time.Instant;
import java.util.List;

/**
 * One line of the provisioning log: one operation on one object, as Entra's provisioning logs record it.
 *
 * @param action             create, update, disable, delete or other
 * @param status             success, failure, skipped or warning
 * @param modifiedProperties the attributes written, with old and new values
 * @param error              null unless status is failure
 */
public record LogEntry(Instant time, String cycleId, String changeId, String objectType, String action, String status,
                       String sourceId, String sourceIdentity, String targetId, String reason,
                       List<ModifiedProperty> modifiedProperties, Error error, long durationMs) {

    public record ModifiedProperty(String name, Object old, Object value) {
    }

    public record Error(String code, String reason) {
    }
}
