package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a delta round stands. {@code since} is the version the round reports changes after ({@link #FULL} for a
 * first round, which reports every live object); {@code snapshot} is the version at which the round began and
 * becomes the next round's {@code since}, so changes made while a round is paged are reported again, never lost.
 *
 * @param epoch       the simulator's token epoch; tokens of another epoch are unknown sync states
 * @param resource    "users" or "groups"
 * @param select      the canonical $select of the first request ("" when it had none)
 * @param limit       the number of user or group slots when the round began; later slots hold objects created
 *                    after {@code snapshot}, which the next round reports, so a round ends even while users are
 *                    being added faster than it is read
 * @param slot        the next user or group slot to read
 * @param memberIndex the next membership of the group at {@code slot} (groups delta splits large groups)
 * @param page        the page number within the round (the quirks use it)
 */
record DeltaToken(String epoch, String resource, String select, long since, long snapshot, int limit, int slot,
                  int memberIndex, int page, long issuedAtSeconds) {

    static final long FULL = -1;

    /** Directory delta tokens last seven days. */
    static final Duration LIFETIME = Duration.ofDays(7);

    static DeltaToken firstRound(String epoch, String resource, String select, long snapshot, int limit) {
        return new DeltaToken(epoch, resource, select, FULL, snapshot, limit, 0, 0, 0, now());
    }

    boolean fullRound() {
        return since == FULL;
    }

    DeltaToken nextPage(int nextSlot, int nextMemberIndex) {
        return new DeltaToken(epoch, resource, select, since, snapshot, limit, nextSlot, nextMemberIndex, page + 1,
                now());
    }

    /** The token of the deltaLink that ends this round. */
    DeltaToken watermark() {
        return new DeltaToken(epoch, resource, select, snapshot, snapshot, 0, 0, 0, 0, now());
    }

    /** A round started from a deltaLink: changes after the watermark, up to now. */
    DeltaToken nextRound(long currentVersion, int currentLimit) {
        return new DeltaToken(epoch, resource, select, since, currentVersion, currentLimit, 0, 0, 0, now());
    }

    String encode(String kind) {
        ObjectNode state = JsonNodeFactory.instance.objectNode();
        state.put("k", kind);
        state.put("e", epoch);
        state.put("r", resource);
        state.put("s", select);
        state.put("f", since);
        state.put("n", snapshot);
        state.put("l", limit);
        state.put("o", slot);
        state.put("m", memberIndex);
        state.put("p", page);
        state.put("t", issuedAtSeconds);
        return OpaqueToken.encode(state);
    }

    /**
     * @throws GraphError syncStateNotFound for anything but a live token of this kind, resource and epoch
     */
    static DeltaToken decode(String token, String kind, String resource, String epoch) {
        ObjectNode state = OpaqueToken.decode(token).orElseThrow(GraphError::syncStateNotFound);
        DeltaToken decoded;
        try {
            decoded = new DeltaToken(text(state, "e"), text(state, "r"), text(state, "s"),
                    number(state, "f"), number(state, "n"), (int) number(state, "l"), (int) number(state, "o"),
                    (int) number(state, "m"),
                    (int) number(state, "p"), number(state, "t"));
            if (!kind.equals(text(state, "k"))) {
                throw GraphError.syncStateNotFound();
            }
        } catch (IllegalArgumentException malformed) {
            throw GraphError.syncStateNotFound();
        }
        boolean expired = Instant.ofEpochSecond(decoded.issuedAtSeconds).plus(LIFETIME).isBefore(Instant.now());
        if (!decoded.epoch.equals(epoch) || !decoded.resource.equals(resource) || expired) {
            throw GraphError.syncStateNotFound();
        }
        return decoded;
    }

    private static String text(ObjectNode state, String field) {
        JsonNode node = state.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(field);
        }
        return node.textValue();
    }

    private static long number(ObjectNode state, String field) {
        JsonNode node = state.get(field);
        if (node == null || !node.canConvertToLong()) {
            throw new IllegalArgumentException(field);
        }
        return node.longValue();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
