package io.github.provisioning.state;

import java.time.Instant;
import java.util.List;

/**
 * A disable or delete the accidental-deletion guard kept from the target: staged by a cycle, then released or
 * held until an admin approves or rejects it. Values come from source data (escape them where they go).
 *
 * @param objectType     {@link ObjectType#USER} or {@link ObjectType#GROUP}
 * @param action         {@link #DISABLE} or {@link #DELETE}; a group is only ever deleted (groups have no disable)
 * @param changeKind     the {@code SourceChange.Kind} name that led to it (HARD_DELETED for a user's delete)
 * @param reason         why the object would be disabled or deleted, as the log line says it
 * @param sourceIdentity the user principal name or the group's displayName (or the match value), null when unknown
 * @param targetId       the object in the target
 * @param cycleId        the cycle that staged it; the object's link names the same cycle unless handled again since
 * @param held           above the threshold: waits for an admin
 * @param approved       an admin approved it: the next cycle sends it whatever the threshold
 */
public record StagedDeletion(String objectType, String sourceId, String action, String changeKind, String reason,
                             String sourceIdentity, String targetId, String cycleId, Instant stagedAt, boolean held,
                             boolean approved) {

    public static final String DISABLE = "disable";
    public static final String DELETE = "delete";
    /**
     * The object types the guard counts, in the order a cycle releases them: users, then groups, as the cycle
     * provisions them. Neither needs the other: deleting a group needs none of its members, and disabling or
     * deleting a user needs no group.
     */
    public static final List<String> OBJECT_TYPES = List.of(ObjectType.USER, ObjectType.GROUP);

    public StagedDeletion {
        if (!OBJECT_TYPES.contains(objectType)) {
            throw new IllegalArgumentException("the deletion guard stages users and groups, not " + objectType);
        }
        if (!DISABLE.equals(action) && !DELETE.equals(action)) {
            throw new IllegalArgumentException("a staged deletion is a disable or a delete, not " + action);
        }
        if (ObjectType.GROUP.equals(objectType) && !DELETE.equals(action)) {
            throw new IllegalArgumentException("groups have no disable: a group's staged deletion is a delete");
        }
    }

    /** Newly staged by a cycle: neither held nor approved. */
    public static StagedDeletion staged(String objectType, String sourceId, String action, String changeKind,
                                        String reason, String sourceIdentity, String targetId, String cycleId,
                                        Instant now) {
        return new StagedDeletion(objectType, sourceId, action, changeKind, reason, sourceIdentity, targetId, cycleId,
                now, false, false);
    }

    /** Held deletions: how many, and since when the oldest waits (null when none). */
    public record Held(int count, Instant since) {
    }
}
