package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Pages of a users delta round, read from the tenant's user slots. */
final class UsersDelta {

    private UsersDelta() {
    }

    /**
     * @param emptyPages  Graph quirk: the second page of every round is empty but still carries a nextLink
     * @param repeatUsers Graph quirk: the last user of every other page comes again at the top of the next one
     */
    static DeltaPage read(Tenant tenant, DeltaToken round, UserSelection select, int pageSize,
                          boolean emptyPages, boolean repeatUsers) {
        tenant.readLock().lock();
        try {
            if (emptyPages && round.page() == 1) {
                return DeltaPage.more(List.of(), round.nextPage(round.slot(), 0));
            }
            List<UserEntry> slots = tenant.userSlots;
            int end = Math.min(round.limit(), slots.size());
            List<ObjectNode> value = new ArrayList<>();
            int slot = round.slot();
            int lastReported = -1;
            while (slot < end && value.size() < pageSize) {
                ObjectNode entry = entry(tenant, slots.get(slot), round, select);
                if (entry != null) {
                    value.add(entry);
                    lastReported = slot;
                }
                slot++;
            }
            boolean finished = slot >= end;
            if (finished && !(emptyPages && round.page() == 0)) {
                return DeltaPage.last(value, round.watermark());
            }
            int resumeAt = slot;
            if (repeatUsers && !finished && value.size() >= 2 && round.page() % 2 == 0) {
                resumeAt = lastReported;
            }
            return DeltaPage.more(value, round.nextPage(resumeAt, 0));
        } finally {
            tenant.readLock().unlock();
        }
    }

    private static ObjectNode entry(Tenant tenant, UserEntry user, DeltaToken round, UserSelection select) {
        ReportingLines lines = tenant.reportingLines;
        if (round.fullRound()) {
            return user.live() ? withManager(user.toJson(select.properties()), user, round, select, lines) : null;
        }
        // Graph tracks only what is selected: a new manager alone brings a user back only when manager is.
        boolean managerChanged = select.manager() && user.live() && lines.version(user) > round.since();
        if (user.version <= round.since() && !managerChanged) {
            return null;
        }
        return switch (user.state) {
            case LIVE -> withManager(user.toJson(select.properties()), user, round, select, lines);
            case SOFT_DELETED -> removed(user.id(), "changed");
            case HARD_DELETED -> removed(user.id(), "deleted");
        };
    }

    /**
     * manager@delta, as Graph writes relationships in delta ("propertyName@delta", the group's members@delta
     * shape): a first round names the current manager; a later round names the manager only when it changed
     * since, or the one that went away, marked {@code @removed: deleted} as a departed group member is.
     */
    private static ObjectNode withManager(ObjectNode node, UserEntry user, DeltaToken round, UserSelection select,
                                          ReportingLines lines) {
        if (!select.manager() || (!round.fullRound() && lines.version(user) <= round.since())) {
            return node;
        }
        UserEntry current = lines.current(user);
        UserEntry former = round.fullRound() || current != null ? null : lines.former(user);
        if (current != null) {
            node.putArray("manager@delta").add(current.reference());
        } else if (former != null) {
            ObjectNode reference = former.reference();
            reference.putObject("@removed").put("reason", "deleted");
            node.putArray("manager@delta").add(reference);
        }
        return node;
    }

    /** "changed" = soft-deleted (restorable), "deleted" = gone for good. */
    static ObjectNode removed(String id, String reason) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id);
        node.putObject("@removed").put("reason", reason);
        return node;
    }
}
