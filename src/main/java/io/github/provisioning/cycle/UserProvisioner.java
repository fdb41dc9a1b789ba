package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.NoUniqueValueException;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.scim.ScimDialect;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * Decides what one user needs in the target and records the outcome. Entra's rules: a user that is unassigned,
 * disabled or soft-deleted is disabled, never deleted, and never created; a hard-deleted user is deleted; an
 * unlinked user is matched on the matching attributes before it is created; an update sends only what changed.
 */
public final class UserProvisioner {

    /** The exchange property naming the staged deletion that {@code direct:provision-user} releases. */
    public static final String STAGED_DELETION = "stagedDeletion";
    private static final String USERS = "/Users";
    /** A match answer that found no account. */

    private final ObjectMapping mapping;
    private final LinkStore links;
    private final StagedDeletionStore deletions;
    private final ProvisioningLog log;
    private final Predicate<String> inScope;
    private final RetryPolicy retryPolicy;
    private final ScimDialect dialect;
    private final TargetCapabilities target;
    private final UniqueValueReservations reservations;
    private final boolean verifyWrites;
    private final Function<String, List<Map<String, String>>> appRoleAssignments;
    private final RetrySchedule escrow;
    private final int deletionThreshold;
    private final MatchIndex matchIndex;

    /**
     * @param inScope            whether a user id is in the assignment scope of the running cycle (always true for
     *                           scope all)
     * @param target             the dialect, and what the target supports (PATCH, filters)
     * @param appRoleAssignments a user id's app role assignments in the running cycle, or null when not read
     * @param escrow             when a failed user is tried again
     * @param deletionThreshold  {@code provisioning.deletion-threshold}: above 0, a cycle stages its disables and
     *                           deletes instead of sending them, and its end releases or holds them
     *                           ({@link DeletionGuard}); 0 or less sends them at once
     * @param matchIndex         the matching values the target holds, listed at the start of an initial cycle;
     *                           for a target without filters, every cycle's listing of it
     * @param reservations       SelectUniqueValue's values on their way to the target, shared by the run's users
     */
    public UserProvisioner(ObjectMapping mapping, LinkStore links, StagedDeletionStore deletions, ProvisioningLog log,
                           Predicate<String> inScope,
                           RetryPolicy retryPolicy, TargetCapabilities target, boolean verifyWrites,
                           Function<String, List<Map<String, String>>> appRoleAssignments, RetrySchedule escrow,
                           int deletionThreshold, MatchIndex matchIndex, UniqueValueReservations reservations) {
        this.matchIndex = matchIndex;
        this.target = target;
        this.reservations = reservations;
        this.escrow = escrow;
        this.deletionThreshold = deletionThreshold;
        this.appRoleAssignments = appRoleAssignments;
        this.mapping = mapping;
        this.links = links;
        this.deletions = deletions;
        this.log = log;
        this.inScope = inScope;
        this.retryPolicy = retryPolicy;
        this.dialect = target.dialect();
        this.verifyWrites = verifyWrites;
    }

    /**
     * @param staged a staged deletion being released at the end of a cycle (its stored action is planned), or null
     * @param page   the state of the delta page the user came on, read for the whole page; null elsewhere (then
     *               the user's link and scope are read here)
     */
    public UserPlan plan(@Body SourceChange change, @ExchangeProperty("cycle") CycleRun cycle,
                         @ExchangeProperty(STAGED_DELETION) StagedDeletion staged,
                         @ExchangeProperty(PageState.PROPERTY) PageState page) {
        return plan(change, cycle, staged, page, false);
    }

    /**
     * The plan of a preview: planned and matched as {@link #plan} does, but its first write is withheld
     * ({@link UserPlan#withheldWrite()}) and nothing is stored, not even a create intent. End it with
     * {@link #previewEnded}.
     */
    public UserPlan preview(@Body SourceChange change, @ExchangeProperty("cycle") CycleRun cycle) {
        return plan(change, cycle, null, null, true);
    }

    /** Frees the SelectUniqueValue candidates a preview reserved; a preview that never planned holds none. */
    public void previewEnded(@ExchangeProperty("plan") UserPlan plan) {
        if (plan != null) {
            reservations.settle(plan.change.id(), plan.reserved, false);
        }
    }

    private UserPlan plan(SourceChange change, CycleRun cycle, StagedDeletion staged, PageState page,
                          boolean preview) {
        PageState known = page != null && page.covers(change.id()) ? page : null;
        UserPlan plan = new UserPlan(cycle, change, (known != null ? known.link(change.id())
                : links.link(ObjectType.USER, change.id())).orElse(null));
        plan.preview = preview;
        plan.page = known;
        plan.releasing = staged;
        try {
            if (staged != null) {
                planRelease(plan);
            } else if (plan.link != null && plan.link.intent() != null) {
                resolveIntent(plan);
            } else {
                planChange(plan);
            }
        } catch (RuntimeException e) {
            unplannable(plan, e);
        }
        return plan;
    }

    /** An expression that cannot be evaluated for this user fails this user, not the cycle. */
    private static void unplannable(UserPlan plan, RuntimeException e) {
        plan.fail("MappingEvaluationFailed", e.getMessage());
    }

    /** What the change asks for by Entra's rules, from what the store holds for the user. */
    private void planChange(UserPlan plan) {
        switch (plan.change.kind()) {
            case HARD_DELETED -> planDelete(plan);
            case SOFT_DELETED -> planDisable(plan, "soft-deleted in Entra ID");
            case NOT_FOUND -> planDisable(plan, "no longer found in Entra ID");
            case LEFT_SCOPE -> planDisable(plan, "no longer assigned to the application");
            case PRESENT -> {
                String outOfScope = outOfScopeReason(plan);
                if (outOfScope != null) {
                    planDisable(plan, outOfScope);
                } else {
                    planProvision(plan);
                }
            }
        }
    }

    /**
     * The user's row holds a create intent: a run was cut between a POST and the save of its link. Before anything
     * else, the intent's value is matched; what it finds is linked, and then the change is planned as usual (a user
     * gone or out of scope is disabled or deleted, so no account outlives its user for want of a link).
     */
    private void resolveIntent(UserPlan plan) {
        CreateIntent intent = plan.link.intent();
        plan.resolvingIntent = true;
        sendMatch(plan, new UserPlan.MatchCandidate(intent.attribute(), intent.value()));
    }

    private void afterIntentMatch(UserPlan plan, ScimResponse response) {
        List<String> paths = new ArrayList<>(mapping.updatedTargets());
        paths.add("active");
        if (!plan.intentResolved(response, "accounts", paths)) {
            return;
        }
        try {
            planChange(plan);
        } catch (RuntimeException e) {
            unplannable(plan, e);
        }
    }

    /**
     * Reads the answer to the plan's request and decides the next step. Transient failures (no answer, 429, 5xx)
     * send the same request again after a pause, at most {@code scim.max-attempts} times; a POST whose reply was
     * lost is followed by a match, never by a blind second POST, so no account is created twice.
     */
    public void next(@ExchangeProperty("plan") UserPlan plan, @Body ScimResponse response) {
        plan.lastScimStatus = response.status();
        if (plan.handleTransient(response, retryPolicy)) {
            if (!plan.failed() && plan.step == UserPlan.Step.CREATE && response.isNoAnswer()) {
                long delay = plan.delayMillis;
                // The POST may have been applied: look before posting again.
                plan.createReplyLost = true;
                plan.candidates.addFirst(plan.matchedOn);
                sendMatch(plan);
                plan.delayMillis = delay;
            }
            return;
        }
        if (plan.step == UserPlan.Step.MATCH && plan.matchById) {
            response = MatchIndex.listedAccount(plan.matchedOn, response);
        }
        switch (plan.step) {
            case MATCH -> afterMatch(plan, response);
            case LIST -> afterListPage(plan, response);
            case UNIQUE -> afterUniquenessCheck(plan, response);
            case CREATE -> afterCreate(plan, response);
            case UPDATE, DISABLE -> afterUpdate(plan, response);
            case FETCH -> afterFetch(plan, response);
            case VERIFY -> afterVerify(plan, response);
            case DELETE -> {
                // Entra: deleting an object that is already gone counts as done.
                if (response.isSuccess() || response.status() == 404) {
                    plan.finish("delete", "success", response.status() == 404 ? "already gone from the target" : null);
                } else {
                    fail(plan, response);
                }
            }
            case DONE -> throw new IllegalStateException("no request was pending");
        }
    }

    private void afterUpdate(UserPlan plan, ScimResponse response) {
        boolean disable = plan.step == UserPlan.Step.DISABLE;
        if (response.isSuccess()) {
            finishWrite(plan, disable ? "disable" : "update", plan.reason);
        } else if (response.status() == 404 && disable) {
            // Nothing left to disable; the stale link goes.
            plan.targetId = null;
            plan.finish("disable", "success", plan.reason + "; the account no longer exists in the target");
        } else if (response.status() == 404) {
            rematch(plan);
        } else {
            fail(plan, response);
        }
    }

    /**
     * A write succeeded: done, or with scim.verify-writes, read the account back first (not in a dry run, whose
     * writes were never sent).
     */
    private void finishWrite(UserPlan plan, String action, String reason) {
        if (!verifyWrites || plan.sentValues.isEmpty() || plan.cycle.dryRun()) {
            plan.finish(action, "success", reason);
            return;
        }
        plan.action = action;
        plan.reason = reason;
        plan.send(UserPlan.Step.VERIFY, ScimRequest.get(USERS + "/" + plan.targetId, null));
    }

    /**
     * Targets drop attributes their schema lacks and still answer success (Keycloak drops phoneNumbers and
     * addresses). The read-back turns that into a warning naming them, instead of a silent loss.
     */
    private void afterVerify(UserPlan plan, ScimResponse response) {
        if (!response.isSuccess()) {
            plan.finish(plan.action, "warning", join(plan.reason, "written, but could not be read back: "
                    + response.errorReason()));
            return;
        }
        Map<String, JsonNode> kept = UserResources.valuesAt(response.body(), plan.sentValues.keySet());
        List<String> dropped = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        plan.sentValues.forEach((path, sent) -> {
            JsonNode now = kept.get(path);
            if (now == null) {
                dropped.add(path);
            } else if (!now.equals(sent) && !(now.isTextual() && sent.isTextual()
                    && now.asText().equalsIgnoreCase(sent.asText()))) {
                changed.add(path);
            }
        });
        if (dropped.isEmpty() && changed.isEmpty()) {
            plan.finish(plan.action, "success", plan.reason);
            return;
        }
        String warning = (dropped.isEmpty() ? "" : "the target did not keep " + String.join(", ", dropped))
                + (dropped.isEmpty() || changed.isEmpty() ? "" : "; ")
                + (changed.isEmpty() ? "" : "the target stored other values for " + String.join(", ", changed));
        plan.finish(plan.action, "warning", join(plan.reason, warning));
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    private void afterCreate(UserPlan plan, ScimResponse response) {
        String id = response.body().path("id").asText(null);
        if (response.isSuccess() && id != null) {
            plan.targetId = id;
            plan.createValues.forEach((path, value) -> plan.modified.add(property(path, null, value)));
            plan.sentValues = plan.createValues;
            finishWrite(plan, "create", null);
        } else if (response.status() == 409 && !plan.createConflicted) {
            // The account exists after all (created meanwhile, or our match missed it): find it and link.
            plan.createConflicted = true;
            plan.candidates.addFirst(plan.matchedOn);
            sendMatch(plan);
        } else {
            if (ObjectPlan.createRefused(response.status())) {
                // No account was made: nothing for a later cycle to look for.
                plan.intent = null;
            }
            fail(plan, response);
        }
    }

    /** A 404 on PATCH: the link is stale. Match again, and create when nothing matches and create is allowed. */
    private void rematch(UserPlan plan) {
        plan.targetId = null;
        plan.linkedExisting = false;
        plan.modified.clear();
        plan.candidates.clear();
        addCandidates(plan);
        if (plan.candidates.isEmpty()) {
            plan.fail("NoMatchingValue", "the linked account is gone and the user has no matching value");
            return;
        }
        plan.reason = "the linked account was gone; matched again";
        sendMatch(plan);
    }

    /** Stores the outcome and writes the log line. */
    public void complete(@ExchangeProperty("plan") UserPlan plan) {
        // A listed target holds a value created now only in the next cycle's listing: keep it reserved till then.
        reservations.settle(plan.change.id(), plan.reserved, !plan.failed() && "create".equals(plan.action)
                && !target.filter());
        if (plan.failed()) {
            recordFailure(plan);
            return;
        }
        String cycleId = plan.cycle.id();
        if (plan.staged) {
            // Like "nothing to send": this cycle's later passes skip the user; the staged row says the rest.
            Link l = plan.link;
            links.save(ObjectType.USER, new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(),
                    cycleId, null, null));
            return;
        }
        if (plan.superseded) {
            deletions.dropStagedDeletion(ObjectType.USER, plan.change.id());
            return;
        }
        switch (plan.action) {
            // A tombstone, not a removal: this cycle's later passes must see that the user was handled.
            case "delete" -> links.save(ObjectType.USER, new Link(plan.change.id(), null, null, false, Map.of(),
                    cycleId, null, null));
            case "create", "update" -> links.save(ObjectType.USER, new Link(plan.change.id(), plan.targetId,
                    matchValue(plan), true, provisionedValues(plan), cycleId, pendingReference(plan), null));
            case "disable" -> {
                Map<String, JsonNode> values = new LinkedHashMap<>(plan.link.values());
                values.put("active", BooleanNode.FALSE);
                links.save(ObjectType.USER, new Link(plan.change.id(), plan.targetId, plan.link.matchValue(),
                        false, values, cycleId, null, null));
            }
            default -> {
                if (plan.linkedExisting) {
                    // Linked to an account that already held the mapped values.
                    links.save(ObjectType.USER, new Link(plan.change.id(), plan.targetId, matchValue(plan), true,
                            provisionedValues(plan), cycleId, pendingReference(plan), null));
                } else {
                    // Nothing to send; remember that this cycle saw the user so that later passes skip it.
                    Link l = plan.link;
                    links.save(ObjectType.USER, l == null
                            ? new Link(plan.change.id(), null, null, false, Map.of(), cycleId, null, null)
                            : new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(), cycleId,
                                    null, null));
                }
            }
        }
        plan.cycle.count(switch (plan.action) {
            case "create" -> CycleRun.Outcome.CREATED;
            case "update" -> CycleRun.Outcome.UPDATED;
            case "disable" -> CycleRun.Outcome.DISABLED;
            case "delete" -> CycleRun.Outcome.DELETED;
            default -> CycleRun.Outcome.SKIPPED;
        });
        write(plan);
        released(plan);
        processed(plan);
    }

    /** A released deletion is done with once its user's outcome is stored, success or failure (escrow). */
    private void released(UserPlan plan) {
        if (plan.releasing != null) {
            deletions.dropStagedDeletion(ObjectType.USER, plan.change.id());
        }
    }

    /** A reference left out for now is written when the user is read again next cycle. */
    private static String pendingReference(UserPlan plan) {
        return plan.referencePending ? Link.RETRY_REFRESH : null;
    }

    /** What the target now holds: the update values, and for ignored targets whatever it held before. */
    private static Map<String, JsonNode> provisionedValues(UserPlan plan) {
        Map<String, JsonNode> values = new LinkedHashMap<>(plan.updateValues);
        if (plan.link != null) {
            for (String target : plan.ignoredTargets) {
                JsonNode before = plan.link.values().get(target);
                if (before != null) {
                    values.put(target, before);
                }
            }
        }
        return values;
    }

    /** An exception on the way (connection refused, timeout, a bug): this user fails, the cycle goes on. */
    public void failed(@ExchangeProperty("plan") UserPlan plan, @ExchangeProperty("change") SourceChange change,
                       @ExchangeProperty("cycle") CycleRun cycle, @ExchangeProperty("CamelExceptionCaught") Exception e,
                       @ExchangeProperty(STAGED_DELETION) StagedDeletion staged) {
        UserPlan failed = plan != null ? plan : new UserPlan(cycle, change,
                links.link(ObjectType.USER, change.id()).orElse(null));
        failed.releasing = staged;
        reservations.settle(change.id(), failed.reserved, false);
        failed.fail(e.getClass().getSimpleName(), e.getMessage());
        recordFailure(failed);
    }

    // ---- planning

    private String outOfScopeReason(UserPlan plan) {
        String id = plan.change.id();
        boolean assigned = plan.page != null ? plan.page.inScope(id) : inScope.test(id);
        plan.assigned = assigned;
        return UserScope.outOfScopeReason(sourceUser(plan.change), assigned, mapping);
    }

    /** A staged deletion released at the end of a cycle: its stored action, unless superseded since. */
    private void planRelease(UserPlan plan) {
        StagedDeletion staged = plan.releasing;
        if (!plan.releaseStillDue(plan.link)) {
            return;
        }
        if (StagedDeletion.DELETE.equals(staged.action())) {
            planDelete(plan);
        } else {
            planDisable(plan, staged.reason());
        }
    }

    private void stage(UserPlan plan, String action, String reason) {
        plan.stage(deletions, StagedDeletion.staged(ObjectType.USER, plan.change.id(), action, plan.change.kind().name(),
                reason, identity(plan), plan.targetId, plan.cycle.id(), Instant.now()));
    }

    private void planDelete(UserPlan plan) {
        if (plan.link == null || !plan.link.isLinked()) {
            plan.finish("other", "skipped", "deleted in Entra ID; never provisioned");
        } else if (!mapping.actions().delete()) {
            plan.finish("other", "skipped", "deleted in Entra ID; delete is switched off");
        } else if (plan.guarded(deletionThreshold)) {
            stage(plan, StagedDeletion.DELETE, "deleted in Entra ID");
        } else {
            plan.send(UserPlan.Step.DELETE, ScimRequest.delete(USERS + "/" + plan.targetId));
        }
    }

    private void planDisable(UserPlan plan, String reason) {
        if (plan.link == null || !plan.link.isLinked()) {
            plan.finish("other", "skipped", reason + "; not provisioned");
        } else if (!plan.link.active()) {
            plan.finish("other", "skipped", reason + "; already disabled");
        } else if (!mapping.actions().delete()) {
            // Entra: with Delete switched off, accounts are neither disabled nor deleted.
            plan.finish("other", "skipped", reason + "; delete is switched off");
        } else if (plan.guarded(deletionThreshold)) {
            stage(plan, StagedDeletion.DISABLE, reason);
        } else {
            plan.reason = reason;
            plan.modified.add(property("active", BooleanNode.TRUE, BooleanNode.FALSE));
            sendUpdate(plan, UserPlan.Step.DISABLE, UserResources.disable());
        }
    }

    private void planProvision(UserPlan plan) {
        EntraUser user = sourceUser(plan.change);
        plan.ignoredTargets.addAll(mapping.ignoredTargets(user));
        plan.createValues = new LinkedHashMap<>(mapping.valuesForCreate(user));
        plan.updateValues = new LinkedHashMap<>(mapping.valuesForUpdate(user));
        resolveReferences(plan, user);
        if (plan.link != null && plan.link.isLinked()) {
            Map<String, JsonNode> before = new LinkedHashMap<>(plan.link.values());
            if (!plan.link.active()) {
                before.put("active", BooleanNode.FALSE);
            }
            planUpdate(plan, before, plan.link.active() ? null : "enabled again");
            return;
        }
        addCandidates(plan);
        if (plan.candidates.isEmpty()) {
            plan.fail("NoMatchingValue", "the user has no value for any matching attribute ("
                    + mapping.matchingRules().stream().map(MappingRule::target).toList() + ")");
            return;
        }
        if (matchIndex != null && matchIndex.rulesOut(plan.cycle, plan.candidates)) {
            // The target held none of the user's matching values when the cycle listed it: no query can find one.
            plan.matchedOn = plan.candidates.poll();
            plan.matchValue = plan.matchedOn.value();
            createOrSkip(plan);
            return;
        }
        sendMatch(plan);
    }

    /** No account matches: create one, unless create is switched off. */
    private void createOrSkip(UserPlan plan) {
        if (!mapping.actions().create()) {
            plan.finish("other", "skipped", "no matching account; create is switched off");
            return;
        }
        if (!uniqueValuesChosen(plan)) {
            return;
        }
        if (plan.intent == null && !plan.preview) {
            recordIntent(plan);
        }
        plan.send(UserPlan.Step.CREATE, ScimRequest.post(USERS, UserResources.create(plan.createValues).toString()));
    }

    /**
     * Writes the create intent to the user's row before the POST (one save, committed with the concurrent ones):
     * a crash between the POST and the save of the link leaves it, and the next cycle matches its value.
     */
    private void recordIntent(UserPlan plan) {
        plan.intent = new CreateIntent(plan.matchedOn.attribute(), plan.matchedOn.value(), plan.cycle.id(),
                Instant.now());
        Link l = plan.link != null ? plan.link
                : new Link(plan.change.id(), null, null, false, Map.of(), null, null, null);
        links.save(ObjectType.USER, l.withIntent(plan.intent));
    }

    private EntraUser sourceUser(SourceChange change) {
        return new EntraUser(change.graph(), false, appRoleAssignments.apply(change.id()));
    }

    /**
     * Entra: a reference (manager) is written as the referenced object's id in the target. The mapping yields the
     * manager's Graph id; its link gives the SCIM id. A manager not provisioned yet is left out now and written in
     * a later cycle (the user is marked for a refresh); an unknown manager leaves the target as it is.
     */
    private void resolveReferences(UserPlan plan, EntraUser user) {
        for (MappingRule rule : mapping.rules()) {
            if (!(rule.source() instanceof MappingRule.Direct direct) || !EntraUser.MANAGER.equals(direct.attribute())) {
                continue;
            }
            Object managerId = user.get(EntraUser.MANAGER);
            if (managerId == io.github.provisioning.mapping.Ignored.INSTANCE) {
                plan.ignoredTargets.add(rule.target());
                continue;
            }
            if (managerId == null) {
                continue;
            }
            String manager = managerId.toString();
            String targetId = (plan.page != null && plan.page.knowsManager(manager) ? plan.page.manager(manager)
                    : links.link(ObjectType.USER, manager)).map(Link::targetId).orElse(null);
            if (targetId == null) {
                plan.createValues.remove(rule.target());
                plan.updateValues.remove(rule.target());
                plan.ignoredTargets.add(rule.target());
                plan.referencePending = true;
            } else {
                plan.createValues.put(rule.target(), com.fasterxml.jackson.databind.node.TextNode.valueOf(targetId));
                plan.updateValues.put(rule.target(), com.fasterxml.jackson.databind.node.TextNode.valueOf(targetId));
            }
        }
    }

    /** PATCH in the target's dialect, or for a target without PATCH: GET, apply here, PUT. */
    private void sendUpdate(UserPlan plan, UserPlan.Step step, List<PatchOperation> operations) {
        String path = USERS + "/" + plan.targetId;
        Map<String, JsonNode> sent = new LinkedHashMap<>();
        for (PatchOperation op : operations) {
            if (op.getJsonNode() != null && op.getPath() != null) {
                sent.put(op.getPath().toString(), op.getJsonNode());
            }
        }
        plan.sentValues = sent;
        if (target.updateMethod() == ScimDialect.UpdateMethod.PATCH) {
            plan.send(step, ScimRequest.patch(path, UserResources.patchBody(operations, dialect)));
        } else {
            plan.pendingOperations = operations;
            plan.putStep = step;
            plan.send(UserPlan.Step.FETCH, ScimRequest.get(path, null));
        }
    }

    private void afterFetch(UserPlan plan, ScimResponse response) {
        if (response.isSuccess()) {
            ObjectNode merged = UserResources.applied(response.body(), plan.pendingOperations);
            plan.send(plan.putStep, new ScimRequest("PUT", USERS + "/" + plan.targetId, null, merged.toString()));
        } else {
            // A 404 or an error means for the PUT what it would have meant for the PATCH.
            plan.step = plan.putStep;
            afterUpdate(plan, response);
        }
    }

    private void addCandidates(UserPlan plan) {
        for (MappingRule rule : mapping.matchingRules()) {
            JsonNode value = plan.createValues.get(rule.target());
            if (value != null && !value.isNull()) {
                plan.candidates.add(new UserPlan.MatchCandidate(rule.target(), value.asText()));
            }
        }
    }

    private void sendMatch(UserPlan plan) {
        sendMatch(plan, plan.candidates.poll());
    }

    private void sendMatch(UserPlan plan, UserPlan.MatchCandidate candidate) {
        plan.matchedOn = candidate;
        plan.matchValue = candidate.value();
        plan.matchById = false;
        if (!target.filter()) {
            matchInListing(plan, candidate);
            return;
        }
        plan.send(UserPlan.Step.MATCH, ScimRequest.get(USERS,
                UserResources.matchQuery(candidate.attribute(), candidate.value())));
    }

    /**
     * A target without filters: the cycle's listing names the account that holds the value, which is read by its id;
     * a value the listing lacks matches nothing. The listing predates this cycle's own creates, so after a POST whose
     * fate is unknown (no answer, 409) it cannot tell; the user fails, keeping its create intent for the next
     * cycle's listing to resolve, and nothing is posted twice.
     */
    private void matchInListing(UserPlan plan, UserPlan.MatchCandidate candidate) {
        if (!matchIndex.lists(plan.cycle) && plan.cycle.type() == CycleRun.Type.ON_DEMAND) {
            // On demand there is no cycle's listing (unless listsOnDemand): its pages are searched until one holds
            // the value.
            plan.listStart = 1;
            plan.send(UserPlan.Step.LIST, matchIndex.pageAt(plan.listStart));
            return;
        }
        if (!matchIndex.lists(plan.cycle)) {
            plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and this run has no listing "
                    + "of its users to match " + candidate.attribute() + " against (see the engine log)");
            return;
        }
        listed(plan, matchIndex.accountWith(plan.cycle, candidate), false);
    }

    /**
     * Whether provision on demand lists the target's users first, as a cycle does: a target without filters whose
     * mapping has SelectUniqueValue rows, whose candidates can only be checked against a whole listing.
     */
    public boolean listsOnDemand() {
        return !target.filter() && !mapping.uniqueValueRules().isEmpty();
    }

    /** One page of the on-demand search through the listing: the account found, the next page, or none. */
    private void afterListPage(UserPlan plan, ScimResponse response) {
        if (!response.isSuccess()) {
            fail(plan, response);
            return;
        }
        MatchIndex.Search search = matchIndex.search(response, plan.listStart, plan.matchedOn);
        if (search.problem() != null) {
            plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and its listing of users "
                    + "cannot be searched: " + search.problem());
        } else if (search.id() == null && search.nextStartIndex() > 0) {
            plan.listStart = search.nextStartIndex();
            plan.send(UserPlan.Step.LIST, matchIndex.pageAt(plan.listStart));
        } else {
            listed(plan, search.id(), true);
        }
    }

    /**
     * The listing named the account holding the match value (read by its id), or none holds it.
     *
     * @param current whether the listing was read after this user's create (on demand), so it shows that create
     */
    private void listed(UserPlan plan, String id, boolean current) {
        UserPlan.MatchCandidate candidate = plan.matchedOn;
        if (id != null) {
            plan.matchById = true;
            plan.send(UserPlan.Step.MATCH, ScimRequest.get(USERS + "/" + id, null));
        } else if (!current && (plan.createReplyLost || plan.createConflicted)) {
            plan.fail(plan.createConflicted ? "ScimError409" : "ScimNoAnswer", MatchIndex.createUnknown(candidate));
        } else {
            plan.step = UserPlan.Step.MATCH;
            afterMatch(plan, MatchIndex.NO_MATCH);
        }
    }

    /**
     * SelectUniqueValue rows: each takes the first candidate, in rule order, that no other user of the run has
     * reserved and the target does not hold (a filter query on the row's target attribute, escaped as matching is,
     * or the cycle's listing of a target without filters). True when every row is settled; false when a query was
     * sent (its answer comes back through {@link #next}) or the user failed because every candidate is taken.
     */
    private boolean uniqueValuesChosen(UserPlan plan) {
        if (plan.uniqueChoices == null) {
            plan.uniqueChoices = new ArrayDeque<>();
            EntraUser user = sourceUser(plan.change);
            for (MappingRule rule : mapping.uniqueValueRules()) {
                List<String> candidates = mapping.uniqueValueCandidates(rule, user);
                if (!candidates.isEmpty()) {
                    plan.uniqueChoices.add(new UserPlan.UniqueChoice(rule.target(), candidates));
                }
            }
        }
        String owner = plan.change.id();
        while (!plan.uniqueChoices.isEmpty()) {
            UserPlan.UniqueChoice choice = plan.uniqueChoices.peek();
            String candidate = choice.current();
            if (candidate == null) {
                plan.fail("NoUniqueValue",
                        new NoUniqueValueException(choice.candidates).reasonFor(choice.target));
                return false;
            }
            if (!reservations.reserve(choice.target, candidate, owner)) {
                choice.next++;
                continue;
            }
            plan.reserved.add(new UserPlan.MatchCandidate(choice.target, candidate));
            if (target.filter()) {
                plan.send(UserPlan.Step.UNIQUE, ScimRequest.get(USERS,
                        UserResources.matchQuery(choice.target, candidate)));
                return false;
            }
            Boolean listed = matchIndex.holds(plan.cycle, choice.target, candidate);
            if (listed == null) {
                plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and this run has no "
                        + "listing of its users to check SelectUniqueValue's " + choice.target + " against");
                return false;
            }
            settleCandidate(plan, choice, listed);
        }
        return true;
    }

    /** The target answered whether it holds the candidate being checked; then the create goes on. */
    private void afterUniquenessCheck(UserPlan plan, ScimResponse response) {
        if (!response.isSuccess()) {
            fail(plan, response);
            return;
        }
        settleCandidate(plan, plan.uniqueChoices.peek(), UserResources.findsAny(response.body()));
        createOrSkip(plan);
    }

    /** A candidate the target holds is released and the next one tried; a free one is the row's value. */
    private void settleCandidate(UserPlan plan, UserPlan.UniqueChoice choice, boolean taken) {
        String candidate = choice.current();
        if (taken) {
            reservations.release(choice.target, candidate, plan.change.id());
            plan.reserved.remove(new UserPlan.MatchCandidate(choice.target, candidate));
            choice.next++;
        } else {
            plan.createValues.put(choice.target, TextNode.valueOf(candidate));
            plan.uniqueChoices.poll();
        }
    }

    /**
     * The paths an update keeps in sync for this user: the mapping's, less what it leaves alone this time, plus the
     * None rows it fills.
     */
    private List<String> syncedPaths(UserPlan plan) {
        List<String> paths = new ArrayList<>(mapping.updatedTargets());
        paths.removeAll(plan.ignoredTargets);
        paths.addAll(plan.filledTargets);
        return paths;
    }

    private void planUpdate(UserPlan plan, Map<String, JsonNode> before, String reason) {
        List<String> paths = syncedPaths(plan);
        Map<String, JsonNode> after = new LinkedHashMap<>(plan.updateValues);
        if (!after.containsKey("active")) {
            // Entra re-enables an account whose mapping does not carry active itself.
            paths.add("active");
            after.put("active", BooleanNode.TRUE);
            before.putIfAbsent("active", BooleanNode.TRUE);
        }
        List<PatchOperation> operations = UserResources.diff(before, after, paths, mapping.additiveTargets());
        if (operations.isEmpty()) {
            plan.finish("other", plan.linkedExisting ? "success" : "skipped",
                    plan.linkedExisting ? "linked to the existing account; nothing to change" : "no change");
            return;
        }
        if (!mapping.actions().update()) {
            plan.finish("other", "skipped", "update is switched off");
            return;
        }
        for (PatchOperation op : operations) {
            String path = op.getPath().toString();
            plan.modified.add(property(path, before.get(path), after.get(path)));
        }
        plan.reason = reason;
        sendUpdate(plan, UserPlan.Step.UPDATE, operations);
    }

    private void afterMatch(UserPlan plan, ScimResponse response) {
        if (plan.resolvingIntent) {
            afterIntentMatch(plan, response);
            return;
        }
        JsonNode existing = plan.matched(response, "accounts");
        if (plan.failed()) {
            return;
        }
        if (existing == null) {
            if (plan.createConflicted && plan.candidates.isEmpty()) {
                plan.failConflictWithoutMatch("account");
            } else if (!plan.candidates.isEmpty()) {
                sendMatch(plan);
            } else {
                createOrSkip(plan);
            }
            return;
        }
        if (plan.createReplyLost) {
            // Our own POST was applied; its reply was lost. It is a create, not a link to someone else's account.
            plan.targetId = existing.path("id").asText(null);
            plan.createValues.forEach((path, value) -> plan.modified.add(property(path, null, value)));
            plan.finish("create", "success", "the create's reply was lost; the account was found by matching");
            return;
        }
        plan.linkedExisting = true;
        plan.targetId = existing.path("id").asText(null);
        if (plan.targetId == null) {
            plan.fail("UnexpectedResponse", "the matching account has no id");
            return;
        }
        Map<String, JsonNode> defaults = mapping.noneDefaults();
        Map<String, JsonNode> present = UserResources.valuesAt(existing, defaults.keySet());
        defaults.forEach((path, value) -> {
            JsonNode current = present.get(path);
            if (current == null || current.isTextual() && current.asText().isEmpty()) {
                plan.filledTargets.add(path);
                plan.updateValues.put(path, value);
            }
        });
        List<String> paths = syncedPaths(plan);
        paths.add("active");
        Map<String, JsonNode> before = new LinkedHashMap<>(UserResources.valuesAt(existing, paths));
        planUpdate(plan, before, "linked to an existing account");
    }

    private static void fail(UserPlan plan, ScimResponse response) {
        plan.failOnError(response);
    }

    // ---- recording

    private void recordFailure(UserPlan plan) {
        Link l = plan.link;
        String retry = plan.change.kind() == SourceChange.Kind.HARD_DELETED ? Link.RETRY_DELETE : Link.RETRY_REFRESH;
        String reason = plan.error == null ? null : plan.error.reason();
        Escrow escrowed = plan.enterEscrow(escrow, l, "user");
        links.save(ObjectType.USER, l == null
                ? new Link(plan.change.id(), plan.targetId, null, false, Map.of(), plan.cycle.id(), retry, reason,
                        escrowed, plan.intent)
                : new Link(l.sourceId(), l.targetId(), l.matchValue(), l.active(), l.values(), plan.cycle.id(),
                        retry, reason, escrowed, plan.intent));
        plan.cycle.countFailure(escrowed);
        write(plan);
        released(plan);
        processed(plan);
    }

    /** A user of the cycle's changes got its outcome; released deletions were counted by the cycle that held them. */
    private static void processed(UserPlan plan) {
        if (plan.releasing == null) {
            plan.cycle.progress().userDone(plan.assigned, Instant.now());
        }
    }

    private void write(UserPlan plan) {
        if (plan.linkedByIntent) {
            plan.reason = join(ObjectPlan.LINKED_BY_INTENT, plan.reason);
        }
        log.write(plan.logEntry("user", plan.change.id(), identity(plan)));
    }

    private static String identity(UserPlan plan) {
        String upn = plan.change.userPrincipalName();
        return upn != null ? upn : plan.link == null ? null : plan.link.matchValue();
    }

    private static String matchValue(UserPlan plan) {
        if (plan.matchValue != null) {
            return plan.matchValue;
        }
        return plan.link == null ? null : plan.link.matchValue();
    }

    private static LogEntry.ModifiedProperty property(String name, JsonNode old, JsonNode value) {
        return new LogEntry.ModifiedProperty(name, old, value);
    }
}
