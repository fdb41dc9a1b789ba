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
 * creates stay reserved until the next cycle's listing, which holds them. Every reservation ends when a cycle starts
 * (one whose user stopped half-way, when the cycle was cut short, included). Values are compared in any letter case,
 * as SCIM compares {@code userName}; for a case-exact attribute that only ever skips a candidate, never reuses one.
 */
public final class UniqueValueReservations {

    /** Value key → the Entra id of the user that holds it. */
    private final ConcurrentMap<String, String> reserved = new ConcurrentHashMap<>();

    /**
     * Reserves the value for this user; false when another user holds it. A user may reserve its own value again.
     *
     * @param owner the user's Entra id
     */
    public boolean reserve(String attribute, String value, String owner) {
        String holder = reserved.putIfAbsent(key(attribute, value), owner);
        return holder == null || holder.equals(owner);
    }

    /** Ends this user's reservation of the value (the target holds it, or the user failed). */
    public void release(String attribute, String value, String owner) {
        reserved.remove(key(attribute, value), owner);
    }

    /**
     * Ends this user's reservations once its outcome is recorded, or keeps them until the next cycle starts.
     *
     * @param keep the user was created in a target that is only listed once a cycle
     */
    public void settle(String owner, Collection<ObjectPlan.MatchCandidate> values, boolean keep) {
        if (!keep) {
            values.forEach(value -> release(value.attribute(), value.value(), owner));
        }
    }

    /** A new cycle asks the target (or lists it) again: what earlier runs created is in it now. */
    public void beginCycle() {
        reserved.clear();
    }

    private static String key(String attribute, String value) {
        return attribute.toLowerCase(Locale.ROOT) + '\u0000' + value.toLowerCase(Locale.ROOT);
    }
}
