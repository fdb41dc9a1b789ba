package io.github.provisioning.cycle;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The values SelectUniqueValue has chosen for creates that are still on their way to the target. Users are provisioned
 * in parallel: two users whose first candidate is the same would both find it free in the target and both be sent
 * with it, and the second POST would answer 409. So a candidate is reserved for one user before the target is asked
 * about it, and any other user takes a reserved value as taken.
 *
 * <p>A reservation ends when its user's outcome is recorded: after a create the target holds the value and answers
 * for it. A target that cannot filter is only listed at the start of a cycle, so there the values of successful
 * creates stay reserved until the next cycle's listing, which holds them. Values are compared in any letter case, as
 * SCIM compares {@code userName}; for a case-exact attribute that only ever skips a candidate, never reuses one.
 */
public final class UniqueValueReservations {

    /** @param created the user's create succeeded: kept until the next cycle's listing */
    private record Reservation(String owner, boolean created) {
    }

    private final ConcurrentMap<String, Reservation> reserved = new ConcurrentHashMap<>();

    /**
     * Reserves the value for this user; false when another user holds it. A user may reserve its own value again.
     *
     * @param owner the user's Entra id
     */
    public boolean reserve(String attribute, String value, String owner) {
        Reservation held = reserved.putIfAbsent(key(attribute, value), new Reservation(owner, false));
        return held == null || held.owner().equals(owner);
    }

    /** Ends this user's reservation of the value (the target holds it, or the user failed). */
    public void release(String attribute, String value, String owner) {
        reserved.computeIfPresent(key(attribute, value), (k, held) -> held.owner().equals(owner) ? null : held);
    }

    /**
     * Ends this user's reservations once its outcome is recorded, or keeps them until the next cycle starts.
     *
     * @param keep the user was created in a target that is only listed once a cycle
     */
    public void settle(String owner, Collection<UserPlan.MatchCandidate> values, boolean keep) {
        for (UserPlan.MatchCandidate value : values) {
            if (keep) {
                reserved.computeIfPresent(key(value.attribute(), value.value()),
                        (k, held) -> held.owner().equals(owner) ? new Reservation(owner, true) : held);
            } else {
                release(value.attribute(), value.value(), owner);
            }
        }
    }

    /** A new cycle lists the target again: the values created before it are in the listing now. */
    public void beginCycle() {
        reserved.values().removeIf(Reservation::created);
    }

    private static String key(String attribute, String value) {
        return attribute.toLowerCase(Locale.ROOT) + '\u0000' + value.toLowerCase(Locale.ROOT);
    }
}
