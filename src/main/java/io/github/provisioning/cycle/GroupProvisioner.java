package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.graph.EntraGroup;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.GroupResources;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.ArrayList;
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
 * cycle ({@link DeletionGuard}).
 */
public final class GroupProvisioner {

    private static final String GROUPS = "/Groups";

    private final ObjectMapping mapping;
    private final RetrySchedule escrow;
    private final LinkStore links;
    private final GroupStore groups;
    private final StagedDeletionStore deletions;
    private final ProvisioningLog log;
    private final Predicate<String> inScope;
    private final RetryPolicy retryPolicy;
    private final ScimDialect dialect;
    private final TargetCapabilities target;
    private final int membersPerPatch;
    private final boolean syncMembers;
    private final List<String> updatedTargets;
    private final int deletionThreshold;
    private final MatchIndex listing;

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
    public GroupProvisioner(ObjectMapping mapping, LinkStore links, GroupStore groups, StagedDeletionStore deletions,
                            ProvisioningLog log, Predicate<String> inScope,
                            RetryPolicy retryPolicy, TargetCapabilities target, int membersPerPatch, RetrySchedule escrow,
                            int deletionThreshold, MatchIndex listing) {
        this.listing = listing;
        this.escrow = escrow;
        this.deletionThreshold = deletionThreshold;
        if (membersPerPatch < 1) {
            throw new IllegalArgumentException("scim.members-per-patch must be at least 1");
        }
        this.mapping = mapping;
        this.links = links;
        this.groups = groups;
        this.deletions = deletions;
        this.log = log;
        this.inScope = inScope;
        this.retryPolicy = retryPolicy;
        this.target = target;
        this.dialect = target.dialect();
        this.membersPerPatch = membersPerPatch;
        this.syncMembers = mapping.rules().stream().anyMatch(r -> EntraGroup.MEMBERS.equals(r.target()));
        this.updatedTargets = mapping.updatedTargets().stream().filter(t -> !EntraGroup.MEMBERS.equals(t)).toList();
    }

    /**
     * @param staged a staged group delete being released at the end of a cycle, or null
     */
    public GroupPlan plan(@Body String groupId, @ExchangeProperty("cycle") CycleRun cycle,
                          @ExchangeProperty(UserProvisioner.STAGED_DELETION) StagedDeletion staged) {
        GroupPlan plan = new GroupPlan(cycle, groupId, groups.groupSource(groupId).orElse(null),
                links.link(ObjectType.GROUP, groupId).orElse(null));
        plan.releasing = staged;
        if (staged == null && plan.link != null && plan.link.intent() != null) {
            // A run was cut between a POST /Groups and the save of its link: match the intent's value first.
            CreateIntent intent = plan.link.intent();
            plan.resolvingIntent = true;
            sendMatch(plan, new UserPlan.MatchCandidate(intent.attribute(), intent.value()));
        } else {
            planChange(plan);
        }
        return plan;
    }

    /**
     * What the group needs by Entra's rules, from its source state, its scope and its link; a staged delete being
     * released is sent unless the group was handled again meanwhile.
     */
    private void planChange(GroupPlan plan) {
        StagedDeletion staged = plan.releasing;
        try {
            GroupStore.GroupSource source = plan.source;
            if (staged != null) {
                if (plan.releaseStillDue(plan.link)) {
                    planDelete(plan, SourceChange.Kind.valueOf(staged.changeKind()), staged.reason());
                }
            } else if (source == null) {
                planDelete(plan, SourceChange.Kind.NOT_FOUND, "not found in Entra ID");
            } else if (GroupStore.GroupSource.SOFT_DELETED.equals(source.state())) {
                planDelete(plan, SourceChange.Kind.SOFT_DELETED, "soft-deleted in Entra ID");
            } else if (!source.present()) {
                planDelete(plan, SourceChange.Kind.HARD_DELETED, "deleted in Entra ID");
            } else if (!inScope.test(plan.groupId)) {
                planDelete(plan, SourceChange.Kind.LEFT_SCOPE, plan.link != null && plan.link.isLinked()
                        ? "no longer assigned to the application" : "not assigned to the application");
            } else {
                var scoping = mapping.scoping().evaluate(new EntraGroup(source.properties()));
                if (!scoping.inScope()) {
                    planDelete(plan, SourceChange.Kind.PRESENT, "outside the scoping filter: " + scoping.reason());
                } else {
                    planProvision(plan);
                }
            }
        } catch (RuntimeException e) {
            plan.fail("MappingEvaluationFailed", e.getMessage());
        }
    }

    /** Reads the answer to the plan's request and decides the next step; transient failures are retried. */
    public void next(@ExchangeProperty("groupPlan") GroupPlan plan, @Body ScimResponse response) {
        plan.lastScimStatus = response.status();
        if (plan.handleTransient(response, retryPolicy)) {
            if (!plan.failed() && plan.step == GroupPlan.Step.CREATE && response.isNoAnswer()) {
                // The POST may have been applied: look before posting again.
                long delay = plan.delayMillis;
                plan.createReplyLost = true;
                sendMatch(plan, plan.matchedOn);
                plan.delayMillis = delay;
            }
            return;
        }
        if (plan.step == GroupPlan.Step.MATCH && plan.matchById) {
            response = MatchIndex.listedAccount(plan.matchedOn, response);
        }
        switch (plan.step) {
            case MATCH -> afterMatch(plan, response);
            case CREATE -> afterCreate(plan, response);
            case UPDATE -> afterUpdate(plan, response);
            case REMOVE_MEMBERS, ADD_MEMBERS -> afterMembers(plan, response);
            case FETCH -> afterFetch(plan, response);
            case DELETE -> {
                if (response.isSuccess() || response.status() == 404) {
                    plan.finish("delete", "success", join(plan.reason,
                            response.status() == 404 ? "already gone from the target" : null));
                } else {
                    plan.failOnError(response);
                }
            }
            case DONE -> throw new IllegalStateException("no request was pending");
        }
    }

    /** Stores the outcome and writes the log line. */
    public void complete(@ExchangeProperty("groupPlan") GroupPlan plan) {
        if (plan.failed()) {
            recordFailure(plan);
            return;
        }
        String cycleId = plan.cycle.id();
        if (plan.staged) {
            // Nothing was sent: the memberships stay as they are until the delete is released. The link names this
            // cycle, the cycle the staged row names, so a later change of the group supersedes the row.
            Link l = plan.link;
            links.save(ObjectType.GROUP, new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(),
                    cycleId, null, null));
            groups.groupProcessed(plan.groupId);
            return;
        }
        if (plan.superseded) {
            deletions.dropStagedDeletion(ObjectType.GROUP, plan.groupId);
            return;
        }
        boolean linked = plan.targetId != null && !"delete".equals(plan.action);
        if ("delete".equals(plan.action)) {
            links.save(ObjectType.GROUP, new Link(plan.groupId, null, null, false, Map.of(), cycleId, null, null));
            groups.forgetTargetMembers(plan.groupId);
        } else if (linked) {
            links.save(ObjectType.GROUP, new Link(plan.groupId, plan.targetId, matchValue(plan), true,
                    plan.updateValues.isEmpty() && plan.link != null ? plan.link.values() : plan.updateValues,
                    cycleId, null, null));
        } else if (plan.link != null) {
            Link l = plan.link;
            links.save(ObjectType.GROUP, new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(),
                    cycleId, null, null));
        }
        if (plan.source == null || GroupStore.GroupSource.DELETED.equals(plan.source.state())) {
            // Deleted for good in Entra ID: its memberships will never be read again.
            groups.dropMembers(plan.groupId);
        }
        groups.groupProcessed(plan.groupId);
        plan.cycle.countGroup(switch (plan.action) {
            case "create" -> CycleRun.Outcome.CREATED;
            case "update" -> CycleRun.Outcome.UPDATED;
            case "delete" -> CycleRun.Outcome.DELETED;
            default -> CycleRun.Outcome.SKIPPED;
        });
        write(plan);
        released(plan);
    }

    /** A released group delete is done with once its outcome is stored, success or failure (escrow). */
    private void released(GroupPlan plan) {
        if (plan.releasing != null) {
            deletions.dropStagedDeletion(ObjectType.GROUP, plan.groupId);
        }
    }

    /** An exception on the way (connection refused, timeout, a bug): this group fails, the cycle goes on. */
    public void failed(@ExchangeProperty("groupPlan") GroupPlan plan, @ExchangeProperty("groupId") String groupId,
                       @ExchangeProperty("cycle") CycleRun cycle,
                       @ExchangeProperty("CamelExceptionCaught") Exception e,
                       @ExchangeProperty(UserProvisioner.STAGED_DELETION) StagedDeletion staged) {
        GroupPlan failed = plan != null ? plan : new GroupPlan(cycle, groupId, groups.groupSource(groupId).orElse(null),
                links.link(ObjectType.GROUP, groupId).orElse(null));
        failed.releasing = staged;
        failed.fail(e.getClass().getSimpleName(), e.getMessage());
        recordFailure(failed);
    }

    // ---- planning

    /** @param kind the change that led to the delete, as a staged row records it */
    private void planDelete(GroupPlan plan, SourceChange.Kind kind, String reason) {
        if (plan.link == null || !plan.link.isLinked()) {
            plan.finish("other", "skipped", reason + "; not provisioned");
        } else if (!mapping.actions().delete()) {
            plan.finish("other", "skipped", reason + "; delete is switched off");
        } else if (plan.guarded(deletionThreshold)) {
            plan.stage(deletions, StagedDeletion.staged(ObjectType.GROUP, plan.groupId, StagedDeletion.DELETE,
                    kind.name(), reason, plan.identity, plan.targetId, plan.cycle.id(), Instant.now()));
        } else {
            // Groups have no disable: Entra deletes them.
            plan.reason = reason;
            plan.send(GroupPlan.Step.DELETE, ScimRequest.delete(GROUPS + "/" + plan.targetId));
        }
    }

    private void planProvision(GroupPlan plan) {
        EntraGroup group = new EntraGroup(plan.source.properties());
        plan.createValues = withoutMembers(mapping.valuesForCreate(group));
        plan.updateValues = withoutMembers(mapping.valuesForUpdate(group));
        UserPlan.MatchCandidate current = firstCandidate(plan);
        plan.matchValue = current == null ? null : current.value();
        if (plan.link != null && plan.link.isLinked()) {
            planUpdate(plan, new LinkedHashMap<>(plan.link.values()), null);
            return;
        }
        UserPlan.MatchCandidate first = firstCandidate(plan);
        if (first == null) {
            plan.fail("NoMatchingValue", "the group has no value for any matching attribute ("
                    + mapping.matchingRules().stream().map(MappingRule::target).toList() + ")");
            return;
        }
        sendMatch(plan, first);
    }

    private UserPlan.MatchCandidate firstCandidate(GroupPlan plan) {
        for (MappingRule rule : mapping.matchingRules()) {
            JsonNode value = plan.createValues.get(rule.target());
            if (value != null && !value.isNull()) {
                return new UserPlan.MatchCandidate(rule.target(), value.asText());
            }
        }
        return null;
    }

    private void sendMatch(GroupPlan plan, UserPlan.MatchCandidate candidate) {
        plan.matchedOn = candidate;
        plan.matchValue = candidate.value();
        plan.matchById = false;
        if (!target.filter()) {
            matchInListing(plan, candidate);
            return;
        }
        plan.send(GroupPlan.Step.MATCH, ScimRequest.get(GROUPS,
                GroupResources.matchQuery(candidate.attribute(), candidate.value())));
    }

    /**
     * A target without filters, as for users: the cycle's listing of its groups names the group that holds the
     * value, which is read by its id; a value the listing lacks matches nothing. After a POST whose fate is unknown
     * the listing, which predates it, cannot tell: the group fails, keeping its create intent for the next cycle.
     */
    private void matchInListing(GroupPlan plan, UserPlan.MatchCandidate candidate) {
        if (!listing.lists(plan.cycle)) {
            plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and this run has no listing "
                    + "of its groups to match " + candidate.attribute() + " against (see the engine log)");
            return;
        }
        String id = listing.accountWith(plan.cycle, candidate);
        if (id != null) {
            plan.matchById = true;
            plan.send(GroupPlan.Step.MATCH, ScimRequest.get(GROUPS + "/" + id, "excludedAttributes=members"));
        } else if (plan.createReplyLost || plan.createConflicted) {
            plan.fail(plan.createConflicted ? "ScimError409" : "ScimNoAnswer", MatchIndex.createUnknown(candidate));
        } else {
            plan.step = GroupPlan.Step.MATCH;
            afterMatch(plan, MatchIndex.NO_MATCH);
        }
    }

    private void afterMatch(GroupPlan plan, ScimResponse response) {
        if (plan.resolvingIntent) {
            // What the intent's match finds is linked; then the group is planned as usual.
            if (plan.intentResolved(response, "groups", updatedTargets)) {
                planChange(plan);
            }
            return;
        }
        JsonNode existing = plan.matched(response, "groups");
        if (plan.failed()) {
            return;
        }
        if (existing == null) {
            if (plan.createConflicted) {
                plan.failConflictWithoutMatch("group");
            } else if (!mapping.actions().create()) {
                plan.finish("other", "skipped", "no matching group; create is switched off");
            } else {
                if (plan.intent == null) {
                    recordIntent(plan);
                }
                plan.send(GroupPlan.Step.CREATE,
                        ScimRequest.post(GROUPS, GroupResources.create(plan.createValues).toString()));
            }
            return;
        }
        plan.targetId = existing.path("id").asText(null);
        if (plan.targetId == null) {
            plan.fail("UnexpectedResponse", "the matching group has no id");
            return;
        }
        if (plan.createReplyLost) {
            // Our own POST was applied; its reply was lost.
            created(plan);
            return;
        }
        plan.linkedExisting = true;
        List<String> paths = new ArrayList<>(updatedTargets);
        planUpdate(plan, new LinkedHashMap<>(UserResources.valuesAt(existing, paths)),
                plan.rematched ? "the linked group was gone; matched again" : "linked to an existing group");
    }

    /**
     * Writes the create intent to the group's row before the POST (as for users): a crash before the save of the
     * link leaves it for the next cycle. The group about to be made holds no members: what the store knew of a
     * previous target group's members goes now, so that a group found by the intent's match keeps the members
     * written to it since.
     */
    private void recordIntent(GroupPlan plan) {
        plan.intent = new CreateIntent(plan.matchedOn.attribute(), plan.matchedOn.value(), plan.cycle.id(),
                Instant.now());
        Link l = plan.link != null ? plan.link : new Link(plan.groupId, null, null, false, Map.of(), null, null, null);
        links.save(ObjectType.GROUP, l.withIntent(plan.intent));
        groups.forgetTargetMembers(plan.groupId);
    }

    private void afterCreate(GroupPlan plan, ScimResponse response) {
        String id = response.body().path("id").asText(null);
        if (response.isSuccess() && id != null) {
            plan.targetId = id;
            created(plan);
        } else if (response.status() == 409 && !plan.createConflicted) {
            plan.createConflicted = true;
            sendMatch(plan, plan.matchedOn);
        } else {
            if (ObjectPlan.createRefused(response.status())) {
                plan.intent = null;
            }
            plan.failOnError(response);
        }
    }

    private void created(GroupPlan plan) {
        plan.created = true;
        plan.action = "create";
        plan.createValues.forEach((path, value) -> plan.modified.add(
                new LogEntry.ModifiedProperty(path, null, value)));
        // A new group holds no members: whatever we knew of the old one's is void.
        groups.forgetTargetMembers(plan.groupId);
        nextMembers(plan);
    }

    private void planUpdate(GroupPlan plan, Map<String, JsonNode> before, String reason) {
        plan.reason = reason;
        List<PatchOperation> operations = UserResources.diff(before, plan.updateValues, updatedTargets);
        if (operations.isEmpty() || !mapping.actions().update()) {
            nextMembers(plan);
            return;
        }
        plan.propertiesChanged = true;
        for (PatchOperation op : operations) {
            String path = op.getPath().toString();
            plan.modified.add(new LogEntry.ModifiedProperty(path, before.get(path), plan.updateValues.get(path)));
        }
        sendPatch(plan, GroupPlan.Step.UPDATE, operations,
                () -> UserResources.patchBody(operations, dialect));
    }

    private void afterUpdate(GroupPlan plan, ScimResponse response) {
        if (response.isSuccess()) {
            nextMembers(plan);
        } else if (response.status() == 404) {
            rematch(plan);
        } else {
            plan.failOnError(response);
        }
    }

    /** A 404 on a linked group: it is gone from the target. Match again, and create when nothing matches. */
    private void rematch(GroupPlan plan) {
        if (plan.rematched) {
            plan.fail("ScimError404", "the group is gone from the target, again");
            return;
        }
        plan.rematched = true;
        plan.targetId = null;
        plan.modified.clear();
        plan.propertiesChanged = false;
        groups.forgetTargetMembers(plan.groupId);
        UserPlan.MatchCandidate first = firstCandidate(plan);
        if (first == null) {
            plan.fail("NoMatchingValue", "the linked group is gone and the group has no matching value");
            return;
        }
        sendMatch(plan, first);
    }

    // ---- members

    /**
     * The next membership batch from the state store: removals first, then additions, each at most
     * {@code scim.members-per-patch}; when none is left, the group is done.
     */
    private void nextMembers(GroupPlan plan) {
        if (!syncMembers || (!plan.created && !mapping.actions().update())) {
            done(plan);
            return;
        }
        List<GroupStore.GroupMember> removals = groups.memberRemovals(plan.groupId, membersPerPatch);
        if (!removals.isEmpty()) {
            sendMembers(plan, GroupPlan.Step.REMOVE_MEMBERS, removals);
            return;
        }
        List<GroupStore.GroupMember> additions = groups.memberAdditions(plan.groupId, membersPerPatch);
        if (!additions.isEmpty()) {
            sendMembers(plan, GroupPlan.Step.ADD_MEMBERS, additions);
            return;
        }
        done(plan);
    }

    private void sendMembers(GroupPlan plan, GroupPlan.Step step, List<GroupStore.GroupMember> batch) {
        String start = step + ":" + batch.get(0).memberId();
        if (start.equals(plan.lastBatchStart)) {
            throw new IllegalStateException("the same member batch came twice for group " + plan.groupId);
        }
        plan.lastBatchStart = start;
        plan.batch = batch;
        List<String> ids = batch.stream().map(GroupStore.GroupMember::targetId).toList();
        boolean add = step == GroupPlan.Step.ADD_MEMBERS;
        sendPatch(plan, step, GroupResources.memberOperations(add ? ids : List.of(), add ? List.of() : ids),
                () -> add ? GroupResources.addMembers(ids, dialect) : GroupResources.removeMembers(ids, dialect));
    }

    private void afterMembers(GroupPlan plan, ScimResponse response) {
        boolean add = plan.step == GroupPlan.Step.ADD_MEMBERS;
        if (response.isSuccess()) {
            groups.markMembers(plan.groupId, plan.batch, add);
            for (GroupStore.GroupMember member : plan.batch) {
                List<String> ids = add ? plan.addedIds : plan.removedIds;
                if (ids.size() < GroupPlan.LOGGED_IDS) {
                    ids.add(member.memberId());
                }
            }
            if (add) {
                plan.added += plan.batch.size();
            } else {
                plan.removed += plan.batch.size();
            }
            nextMembers(plan);
        } else if (response.status() == 404) {
            rematch(plan);
        } else {
            plan.failOnError(response);
        }
    }

    /** Done: the log line says what changed, and which members wait for their users. */
    private void done(GroupPlan plan) {
        if (plan.added > 0) {
            plan.modified.add(members("members.added", plan.added, plan.addedIds));
        }
        if (plan.removed > 0) {
            plan.modified.add(members("members.removed", plan.removed, plan.removedIds));
        }
        String reason = plan.reason;
        if (syncMembers) {
            GroupStore.CountedMembers skipped = groups.skippedMembers(plan.groupId, GroupPlan.LOGGED_IDS);
            if (skipped.count() > 0) {
                plan.modified.add(members("members.skipped", skipped.count(), skipped.ids()));
                reason = join(reason, skipped.count() + " direct member" + (skipped.count() == 1 ? "" : "s")
                        + " not written: not provisioned in the target (out of scope or failed; added in a later"
                        + " cycle once provisioned) or nested groups");
            }
        }
        boolean changed = plan.propertiesChanged || plan.added > 0 || plan.removed > 0;
        if (plan.created) {
            plan.finish("create", "success", reason);
        } else if (changed) {
            plan.finish("update", "success", reason);
        } else if (plan.linkedExisting) {
            plan.finish("other", "success", join(reason, "nothing to change"));
        } else {
            plan.finish("other", "skipped", join(reason, "no change"));
        }
    }

    private static LogEntry.ModifiedProperty members(String name, int count, List<String> ids) {
        ObjectNode value = JsonNodeFactory.instance.objectNode();
        value.put("count", count);
        ids.forEach(value.putArray("ids")::add);
        value.put("truncated", count > ids.size());
        return new LogEntry.ModifiedProperty(name, null, value);
    }

    // ---- requests

    /** PATCH in the target's dialect, or for a target without PATCH: GET the group, apply here, PUT it. */
    private void sendPatch(GroupPlan plan, GroupPlan.Step step, List<PatchOperation> operations,
                           java.util.function.Supplier<String> patchBody) {
        String path = GROUPS + "/" + plan.targetId;
        if (target.updateMethod() == ScimDialect.UpdateMethod.PATCH) {
            plan.send(step, ScimRequest.patch(path, patchBody.get()));
        } else {
            plan.pendingOperations = operations;
            plan.putStep = step;
            plan.send(GroupPlan.Step.FETCH, ScimRequest.get(path, null));
        }
    }

    private void afterFetch(GroupPlan plan, ScimResponse response) {
        plan.step = plan.putStep;
        if (response.isSuccess()) {
            ObjectNode merged = UserResources.applied(response.body(), plan.pendingOperations);
            plan.send(plan.putStep, new ScimRequest("PUT", GROUPS + "/" + plan.targetId, null, merged.toString()));
        } else if (plan.putStep == GroupPlan.Step.UPDATE) {
            afterUpdate(plan, response);
        } else {
            afterMembers(plan, response);
        }
    }

    // ---- recording

    private void recordFailure(GroupPlan plan) {
        Link l = plan.link;
        String reason = plan.error == null ? null : plan.error.reason();
        Escrow escrowed = plan.enterEscrow(escrow, l, "group");
        links.save(ObjectType.GROUP, l == null || plan.created || plan.rematched
                ? new Link(plan.groupId, plan.targetId, matchValue(plan), plan.targetId != null,
                        plan.created ? plan.updateValues : Map.of(), plan.cycle.id(), Link.RETRY_REFRESH, reason,
                        escrowed, plan.intent)
                : new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(), plan.cycle.id(),
                        Link.RETRY_REFRESH, reason, escrowed, plan.intent));
        groups.groupProcessed(plan.groupId);
        plan.cycle.countGroupFailure(escrowed);
        write(plan);
        released(plan);
    }

    private void write(GroupPlan plan) {
        if (plan.linkedByIntent) {
            plan.reason = join(ObjectPlan.LINKED_BY_INTENT, plan.reason);
        }
        log.write(plan.logEntry("group", plan.groupId, plan.identity));
    }

    private static String matchValue(GroupPlan plan) {
        if (plan.matchValue != null) {
            return plan.matchValue;
        }
        return plan.link == null ? null : plan.link.matchValue();
    }

    private static Map<String, JsonNode> withoutMembers(Map<String, JsonNode> values) {
        Map<String, JsonNode> copy = new LinkedHashMap<>(values);
        copy.remove(EntraGroup.MEMBERS);
        return copy;
    }

    private static String join(String first, String second) {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + "; " + second;
    }
}
