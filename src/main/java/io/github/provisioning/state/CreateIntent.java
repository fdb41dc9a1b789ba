package io.github.provisioning.state;

import java.time.Instant;

/**
 * A create about to be sent, kept in the object's row from before the POST until the save of its link (which
 * clears it in the same statement). One still open was cut between the two, by a crash: the POST may have made
 * an account the engine never linked. The next cycle matches the value, links what it finds and provisions the
 * object by the usual rules.
 *
 * @param attribute the matching attribute the create carries, as a SCIM path (e.g. {@code userName})
 * @param value     its value in the create
 * @param cycleId   the cycle that sent the create
 * @param at        when the intent was written
 */
public record CreateIntent(String attribute, String value, String cycleId, Instant at) {
}
