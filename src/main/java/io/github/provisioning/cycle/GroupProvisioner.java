package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.cycle.ObjectPlan.MatchCandidate;
import io.github.provisioning.graph.EntraGroup;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.GroupResources;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.GroupMemberStore;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StagedDeletionStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * Decides what one group needs in the target and records the outcome. Entra's rules for groups: an unlinked group
 * is matched (displayName) before it is created, without members; a rename is a PATCH replace; membership changes
 * are PATCH add/remove of just the members that changed, never a replace of the list; a member whose user is not
 * in the target yet is skipped and added in a later cycle once it is; groups have no disable, so a group that is
 * deleted (soft or hard) or unassigned is deleted in the target when delete is allowed. That delete counts against
 * the accidental-deletion threshold with the users' disables and deletes: it is staged, and sent at the end of the
 * cycle ({@link DeletionGuard}). What users and groups share lives in {@link ObjectProvisioner}.
 */
public final class GroupProvisioner extends ObjectProvisioner<GroupPlan> {

    private final GroupStore groups;
    private final GroupMemberStore memberships;
    private final Predicate<String> inScope;
    private final int membersPerPatch;
    private final boolean syncMembers;
    private final List<String> updatedTargets;

    /**
     * @param mapping           the group section of the mapping file; its {@code members} row switches membership
     *                          on
     * @param inScope           whether a group is in the scope of the running cycle (assigned, or scope all)
     * @param target            the dialect, and whether the target has PATCH
     * @param membersPerPatch   members per PATCH ({@code scim.members-per-patch})
     * @param deletionThreshold {@code provisioning.deletion-threshold}: above 0, a cycle stages its group deletes
     *                          instead of sending them, and its end releases or holds them with the users'
     *                          ({@link DeletionGuard}); 0 or less sends them at once
     * @param listing           the cycle's listing of the target's groups, which a target without filters is matched
     *                          through
     */
    public GroupProvisioner(ObjectMapping mapping, LinkStore links, GroupStore groups, GroupMemberStore memberships,
                            StagedDeletionStore deletions, ProvisioningLog log, Predicate<String> inScope,
                            RetryPolicy retryPolicy, TargetCapabilities target, int membersPerPatch,
                            RetrySchedule escrow, int deletionThreshold, MatchIndex listing) {
        super(new ResourceType(ObjectType.GROUP, "/Groups", "group", "groups", "excludedAttributes=members",
                GroupResources::create, GroupResources::matchQuery), mapping, links, deletions, log, retryPolicy,
                target, escrow, deletionThreshold, listing);
        if (membersPerPatch < 1) {
            throw new IllegalArgumentException("scim.members-per-patch must be at least 1");
        }
        this.groups = groups;
        this.memberships = memberships;
        this.inScope = inScope;
        this.membersPerPatch = membersPerPatch;
        this.syncMembers = mapping.rules().stream().anyMatch(r -> EntraGroup.MEMBERS.equals(r.target()));
        this.updatedTargets = mapping.updatedTargets().stream().filter(t -> !EntraGroup.MEMBERS.equals(t)).toList();
    }

    /**
     * @param staged a staged group delete being released at the end of a cycle, or null
     */
    public GroupPlan plan(@Body String groupId, @ExchangeProperty("cycle") CycleRun cycle,
                          @ExchangeProperty(UserProvisioner.STAGED_DELETION) StagedDeletion staged) {
        GroupPlan plan = newPlan(groupId, cycle);
        plan.releases(staged);
        return start(plan);
    }

    private GroupPlan newPlan(String groupId, CycleRun cycle) {
        return new GroupPlan(this, cycle, groupId, groups.groupSource(groupId).orElse(null),
                links.link(ObjectType.GROUP, groupId).orElse(null));
    }

    /** Stores the outcome and writes the log line. */
    public void record(@ExchangeProperty("plan") GroupPlan plan) {
        recordOutcomeOf(plan);
    }

    /** An exception on the way (connection refused, timeout, a bug): this group fails, the cycle goes on. */
    public void failed(@ExchangeProperty("plan") ObjectPlan plan, @ExchangeProperty("groupId") String groupId,
                       @ExchangeProperty("cycle") CycleRun cycle,
                       @ExchangeProperty("CamelExceptionCaught") Exception e,
                       @ExchangeProperty(UserProvisioner.STAGED_DELETION) StagedDeletion staged) {
        GroupPlan failed = plan instanceof GroupPlan group ? group : newPlan(groupId, cycle);
        recordException(failed, staged, e);
    }

    // ---- planning

    /** What the group needs by Entra's rules, from its source state, its scope and its link. */
    @Override
    void planChange(GroupPlan plan) {
        GroupStore.GroupSource source = plan.source();
        if (source == null) {
            planDelete(plan, SourceChange.Kind.NOT_FOUND, "not found in Entra ID");
        } else if (GroupStore.GroupSource.SOFT_DELETED.equals(source.state())) {
            planDelete(plan, SourceChange.Kind.SOFT_DELETED, "soft-deleted in Entra ID");
        } else if (!source.present()) {
            planDelete(plan, SourceChange.Kind.HARD_DELETED, "deleted in Entra ID");
        } else if (!inScope.test(plan.groupId())) {
            planDelete(plan, SourceChange.Kind.LEFT_SCOPE, plan.wasLinked()
                    ? "no longer assigned to the application" : "not assigned to the application");
        } else {
            var scoping = mapping.scoping().evaluate(new EntraGroup(source.properties()));
            if (!scoping.inScope()) {
                planDelete(plan, SourceChange.Kind.PRESENT, "outside the scoping filter: " + scoping.reason());
            } else {
                planProvision(plan);
            }
        }
    }

    @Override
    void planRelease(GroupPlan plan, StagedDeletion staged) {
        planDelete(plan, SourceChange.Kind.valueOf(staged.changeKind()), staged.reason());
    }

    /** @param kind the change that led to the delete, as a staged row records it */
    private void planDelete(GroupPlan plan, SourceChange.Kind kind, String reason) {
        if (!plan.wasLinked()) {
            plan.finish("other", "skipped", reason + "; not provisioned");
        } else if (removalDue(plan, StagedDeletion.DELETE, kind, reason)) {
            // Groups have no disable: Entra deletes them.
            plan.because(reason);
            sendDelete(plan);
        }
    }

    private void planProvision(GroupPlan plan) {
        EntraGroup group = new EntraGroup(plan.source().properties());
        plan.mapped(withoutMembers(mapping.valuesForCreate(group)), withoutMembers(mapping.valuesForUpdate(group)));
        if (plan.wasLinked()) {
            candidates(plan).forEach(current -> plan.keepsMatchValue(current.value()));
            planUpdate(plan, new LinkedHashMap<>(plan.link().values()), null);
        } else {
            match(plan);
        }
    }

    /** A group is matched on its first matching value only. */
    @Override
    List<MatchCandidate> candidates(GroupPlan plan) {
        List<MatchCandidate> all = super.candidates(plan);
        return all.isEmpty() ? all : all.subList(0, 1);
    }

    private void planUpdate(GroupPlan plan, Map<String, JsonNode> before, String reason) {
        plan.because(reason);
        List<PatchOperation> operations = UserResources.diff(before, plan.updateValues(), updatedTargets);
        if (operations.isEmpty() || !mapping.actions().update()) {
            nextMembers(plan);
            return;
        }
        plan.propertiesChanged();
        for (PatchOperation op : operations) {
            String path = op.getPath().toString();
            plan.changes(path, before.get(path), plan.updateValues().get(path));
        }
        sendWrite(plan, ObjectPlan.Step.UPDATE, operations, () -> UserResources.patchBody(operations, dialect));
    }

    @Override
    List<String> intentPaths() {
        return updatedTargets;
    }

    /**
     * The group about to be made holds no members: what the store knew of a previous target group's members goes
     * now, so that a group found by the intent's match keeps the members written to it since.
     */
    @Override
    void intentRecorded(GroupPlan plan) {
        memberships.forgetTargetMembers(plan.groupId());
    }

    // ---- answers

    @Override
    void answered(GroupPlan plan, ScimResponse response) {
        throw new IllegalStateException("a group plan takes no step " + plan.step());
    }

    @Override
    void linked(GroupPlan plan, JsonNode existing) {
        planUpdate(plan, new LinkedHashMap<>(UserResources.valuesAt(existing, updatedTargets)),
                plan.wasRematched() ? "the linked group was gone; matched again" : "linked to an existing group");
    }

    @Override
    void created(GroupPlan plan, boolean answerLost) {
        // A new group holds no members: whatever we knew of the old one's is void.
        memberships.forgetTargetMembers(plan.groupId());
        nextMembers(plan);
    }

    @Override
    void written(GroupPlan plan) {
        if (plan.step() == ObjectPlan.Step.ADD_MEMBERS || plan.step() == ObjectPlan.Step.REMOVE_MEMBERS) {
            memberships.markMembers(plan.groupId(), plan.batch(), plan.step() == ObjectPlan.Step.ADD_MEMBERS);
            plan.membersWritten();
        }
        nextMembers(plan);
    }

    @Override
    void forgetTarget(GroupPlan plan) {
        plan.propertiesForgotten();
        memberships.forgetTargetMembers(plan.groupId());
    }

    // ---- members

    /**
     * The next membership batch from the state store: removals first, then additions, each at most
     * {@code scim.members-per-patch}; when none is left, the group is done.
     */
    private void nextMembers(GroupPlan plan) {
        if (!syncMembers || (!plan.isCreated() && !mapping.actions().update())) {
            done(plan);
            return;
        }
        List<GroupMemberStore.GroupMember> removals = memberships.memberRemovals(plan.groupId(), membersPerPatch);
        if (!removals.isEmpty()) {
            sendMembers(plan, ObjectPlan.Step.REMOVE_MEMBERS, removals);
            return;
        }
        List<GroupMemberStore.GroupMember> additions = memberships.memberAdditions(plan.groupId(), membersPerPatch);
        if (!additions.isEmpty()) {
            sendMembers(plan, ObjectPlan.Step.ADD_MEMBERS, additions);
            return;
        }
        done(plan);
    }

    private void sendMembers(GroupPlan plan, ObjectPlan.Step step, List<GroupMemberStore.GroupMember> batch) {
        plan.sendsMembers(step, batch);
        List<String> ids = batch.stream().map(GroupMemberStore.GroupMember::targetId).toList();
        boolean add = step == ObjectPlan.Step.ADD_MEMBERS;
        sendWrite(plan, step, GroupResources.memberOperations(add ? ids : List.of(), add ? List.of() : ids),
                () -> add ? GroupResources.addMembers(ids, dialect) : GroupResources.removeMembers(ids, dialect));
    }

    /** Done: the log line says what changed, and which members wait for their users. */
    private void done(GroupPlan plan) {
        if (plan.added() > 0) {
            plan.changes(members("members.added", plan.added(), plan.addedIds()));
        }
        if (plan.removed() > 0) {
            plan.changes(members("members.removed", plan.removed(), plan.removedIds()));
        }
        String reason = plan.reason();
        if (syncMembers) {
            GroupMemberStore.CountedMembers skipped = memberships.skippedMembers(plan.groupId(), GroupPlan.LOGGED_IDS);
            if (skipped.count() > 0) {
                plan.changes(members("members.skipped", skipped.count(), skipped.ids()));
                reason = ObjectPlan.join(reason, skipped.count() + " direct member" + (skipped.count() == 1 ? "" : "s")
                        + " not written: not provisioned in the target (out of scope or failed; added in a later"
                        + " cycle once provisioned) or nested groups");
            }
        }
        if (plan.isCreated()) {
            plan.finish("create", "success", reason);
        } else if (plan.changedInTarget()) {
            plan.finish("update", "success", reason);
        } else if (plan.matchedExisting()) {
            plan.finish("other", "success", ObjectPlan.join(reason, "nothing to change"));
        } else {
            plan.finish("other", "skipped", ObjectPlan.join(reason, "no change"));
        }
    }

    private static LogEntry.ModifiedProperty members(String name, int count, List<String> ids) {
        ObjectNode value = JsonNodeFactory.instance.objectNode();
        value.put("count", count);
        ids.forEach(value.putArray("ids")::add);
        value.put("truncated", count > ids.size());
        return new LogEntry.ModifiedProperty(name, null, value);
    }

    // ---- recording

    @Override
    void recordOutcome(GroupPlan plan) {
        String cycleId = plan.cycle().id();
        Link l = plan.link();
        if ("delete".equals(plan.action())) {
            links.save(ObjectType.GROUP, tombstone(plan.groupId(), cycleId));
            memberships.forgetTargetMembers(plan.groupId());
        } else if (plan.targetId() != null) {
            links.save(ObjectType.GROUP, new Link(plan.groupId(), plan.targetId(), plan.matchValue(), true,
                    plan.updateValues().isEmpty() && l != null ? l.values() : plan.updateValues(), cycleId, null,
                    null));
        } else if (l != null) {
            links.save(ObjectType.GROUP, seen(l, cycleId));
        }
        if (plan.source() == null || GroupStore.GroupSource.DELETED.equals(plan.source().state())) {
            // Deleted for good in Entra ID: its memberships will never be read again.
            memberships.dropMembers(plan.groupId());
        }
        plan.cycle().countGroup(outcome(plan.action()));
    }

    /**
     * Nothing was sent: the memberships stay as they are until the delete is released.
     */
    @Override
    void stagedRecorded(GroupPlan plan) {
        groups.groupProcessed(plan.groupId());
    }

    @Override
    Link beforeFailure(GroupPlan plan) {
        Link l = plan.link();
        return l != null && !plan.isCreated() && !plan.wasRematched() ? l
                : new Link(plan.groupId(), plan.targetId(), plan.matchValue(), plan.targetId() != null,
                        plan.isCreated() ? plan.updateValues() : Map.of(), null, null, null);
    }

    @Override
    void countFailure(GroupPlan plan, Escrow escrowed) {
        plan.cycle().countGroupFailure(escrowed);
    }

    @Override
    void processed(GroupPlan plan) {
        groups.groupProcessed(plan.groupId());
    }

    private static Map<String, JsonNode> withoutMembers(Map<String, JsonNode> values) {
        Map<String, JsonNode> copy = new LinkedHashMap<>(values);
        copy.remove(EntraGroup.MEMBERS);
        return copy;
    }
}
