package io.github.provisioning.state;

import java.time.Instant;

/**
 * A disable or delete the accidental-deletion guard kept from the target: staged by a cycle, then released or
 * held until an admin approves or rejects it. Values come from source data (escape them where they go).
 *
 * @param action         {@link #DISABLE} or {@link #DELETE}
 * @param changeKind     the {@code SourceChange.Kind} name that led to it (HARD_DELETED for a delete)
 * @param reason         why the account would be disabled or deleted, as the log line says it
 * @param sourceIdentity the user principal name (or the match value), null when unknown
 * @param targetId       the account in the target
 * @param cycleId        the cycle that staged it; the user's link names the same cycle unless handled again since
 * @param held           above the threshold: waits for an admin
 * @param approved       an admin approved it: the next cycle sends it whatever the threshold
 */
public record StagedDeletion(String sourceId, String action, String changeKind, String reason,
                             String sourceIdentity, String targetId, String cycleId, Instant stagedAt, boolean held,
                             boolean approved) {

    public static final String DISABLE = "disable";
    public static final String DELETE = "delete";

    public StagedDeletion {
        if (!DISABLE.equals(action) && !DELETE.equals(action)) {
            throw new IllegalArgumentException("a staged deletion is a disable or a delete, not " + action);
        }
    }

    /** Newly staged by a cycle: neither held nor approved. */
    public static StagedDeletion staged(String sourceId, String action, String changeKind, String reason,
                                        String sourceIdentity, String targetId, String cycleId, Instant now) {
        return new StagedDeletion(sourceId, action, changeKind, reason, sourceIdentity, targetId, cycleId, now,
                false, false);
    }

    /** Held deletions: how many, and since when the oldest waits (null when none). */
    public record Held(int count, Instant since) {
    }
}
