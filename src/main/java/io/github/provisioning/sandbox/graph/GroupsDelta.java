package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Pages of a groups delta round. A page holds at most pageSize groups and pageSize members@delta entries, so a
 * large group is split: the same group (with the same properties) comes again on the next page with more
 * members, as Graph documents in "Paging through members in a large group".
 */
final class GroupsDelta {

    private GroupsDelta() {
    }

    static DeltaPage read(Tenant tenant, DeltaToken round, GroupSelection select, int pageSize, boolean emptyPages) {
        tenant.readLock().lock();
        try {
            if (emptyPages && round.page() == 1) {
                return DeltaPage.more(List.of(), round.nextPage(round.slot(), round.memberIndex()));
            }
            List<GroupEntry> slots = tenant.groupSlots;
            int end = Math.min(round.limit(), slots.size());
            List<ObjectNode> value = new ArrayList<>();
            int slot = round.slot();
            int memberIndex = round.memberIndex();
            int memberBudget = pageSize;
            boolean splitGroup = false;
            while (slot < end && value.size() < pageSize) {
                GroupEntry group = slots.get(slot);
                boolean reported = round.fullRound() ? group.live() : group.version > round.since();
                if (!reported) {
                    slot++;
                    memberIndex = 0;
                    continue;
                }
                if (!group.live()) {
                    String reason = group.state == Lifecycle.SOFT_DELETED ? "changed" : "deleted";
                    value.add(UsersDelta.removed(group.id(), reason));
                    slot++;
                    memberIndex = 0;
                    continue;
                }
                if (select.members() && memberBudget == 0) {
                    break;
                }
                ObjectNode node = group.toJson(select.properties());
                value.add(node);
                if (select.members()) {
                    List<Membership> memberships = group.memberships;
                    ArrayNode changes = JsonNodeFactory.instance.arrayNode();
                    int next = memberIndex;
                    while (next < memberships.size() && memberBudget > 0) {
                        Membership membership = memberships.get(next++);
                        if (reported(membership, round)) {
                            changes.add(memberDelta(membership));
                            memberBudget--;
                        }
                    }
                    while (next < memberships.size() && !reported(memberships.get(next), round)) {
                        next++;
                    }
                    if (!changes.isEmpty()) {
                        node.set("members@delta", changes);
                    }
                    if (next < memberships.size()) {
                        memberIndex = next;
                        splitGroup = true;
                        break;
                    }
                }
                slot++;
                memberIndex = 0;
            }
            boolean finished = !splitGroup && slot >= end;
            if (finished && !(emptyPages && round.page() == 0)) {
                return DeltaPage.last(value, round.watermark());
            }
            return DeltaPage.more(value, round.nextPage(slot, memberIndex));
        } finally {
            tenant.readLock().unlock();
        }
    }

    /**
     * Membership changes after the round began wait for the next round; that keeps a round finite while members
     * keep being added to a group it is reading.
     */
    private static boolean reported(Membership membership, DeltaToken round) {
        if (membership.version > round.snapshot()) {
            return false;
        }
        return round.fullRound() ? membership.visible() : membership.version > round.since();
    }

    /** A member that left, or whose object was deleted, comes back as {@code @removed: deleted}. */
    private static ObjectNode memberDelta(Membership membership) {
        ObjectNode reference = membership.reference();
        if (!membership.visible()) {
            reference.putObject("@removed").put("reason", "deleted");
        }
        return reference;
    }
}
