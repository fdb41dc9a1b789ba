package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.unboundid.scim2.common.messages.PatchOperation;
import io.github.provisioning.cycle.ObjectPlan.MatchCandidate;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.graph.GraphPage;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.Ignored;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.NoUniqueValueException;
import io.github.provisioning.mapping.ObjectMapping;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what one user needs in the target and records the outcome. Entra's rules: a user that is unassigned,
 * disabled or soft-deleted is disabled, never deleted, and never created; a hard-deleted user is deleted; an
 * unlinked user is matched on the matching attributes before it is created; an update sends only what changed.
 * What users and groups share lives in {@link ObjectProvisioner}.
 */
public final class UserProvisioner extends ObjectProvisioner<UserPlan> {

    private static final Logger LOG = LoggerFactory.getLogger(UserProvisioner.class);

    /** The exchange property naming the staged deletion that {@code direct:provision-user} releases. */
    public static final String STAGED_DELETION = "stagedDeletion";

    private final Predicate<String> inScope;
    private final UniqueValueReservations reservations;
    private final boolean verifyWrites;
    private final Function<String, List<Map<String, String>>> appRoleAssignments;

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
        super(new ResourceType(ObjectType.USER, "/Users", "account", "users", null, UserResources::create,
                UserResources::matchQuery), mapping, links, deletions, log, retryPolicy,
                target, escrow, deletionThreshold, matchIndex);
        this.reservations = reservations;
        this.appRoleAssignments = appRoleAssignments;
        this.inScope = inScope;
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
        UserPlan plan = newPlan(change, cycle, page, false);
        plan.releases(staged);
        return start(plan);
    }

    /**
     * Before a delta page's users are provisioned: stores the create intent of each user of the page that a create
     * may follow (in scope, no account linked, nothing pending), all in one commit, so that their creates need not
     * each commit their own ({@link #storedIntent}). An intent whose user is then matched, skipped or failed before
     * its POST is cleared by the save of its outcome, and one a crash leaves behind only costs the next cycle a match.
     * Not for a mapping whose matching attribute is a SelectUniqueValue: its value is known only once checked.
     */
    public void intendCreates(@Body GraphPage graphPage, @ExchangeProperty("cycle") CycleRun cycle,
                              @ExchangeProperty(PageState.PROPERTY) PageState page) {
        if (!mapping.actions().create() || mapping.matchingRules().stream().anyMatch(MappingRule::selectsUniqueValue)) {
            return;
        }
        Map<String, CreateIntent> intents = new LinkedHashMap<>();
        List<Link> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (SourceChange change : graphPage.changes()) {
            Link row = createMayFollow(change, page);
            MatchCandidate matchedOn = row == null ? null : createMatchedOn(change, page);
            if (matchedOn != null) {
                CreateIntent intent = new CreateIntent(matchedOn.attribute(), matchedOn.value(), cycle.id(), now);
                intents.put(change.id(), intent);
                rows.add(row.withIntent(intent));
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        try {
            links.saveAll(ObjectType.USER, rows);
            page.intentsStored(intents);
        } catch (RuntimeException e) {
            // Each create then stores its own intent, and fails its own user if that cannot be stored either.
            LOG.debug("The create intents of a page could not be stored together: {}", e.getMessage());
        }
    }

    /**
     * The row a create intent goes into when a create may follow for the user (a new row when it has none), or null
     * when none may: not on the page once, not present, linked, or with an intent of its own.
     */
    private static Link createMayFollow(SourceChange change, PageState page) {
        if (change.kind() != SourceChange.Kind.PRESENT || !page.covers(change.id())) {
            return null;
        }
        Link link = page.link(change.id()).orElse(null);
        if (link != null && (link.isLinked() || link.intent() != null)) {
            return null;
        }
        return link != null ? link : new Link(change.id(), null, null, false, Map.of(), null, null, null);
    }

    /**
     * The value a create of the user would first be matched on, or null when it is out of scope or has none. An
     * expression that fails gives none: the user's plan then fails with the reason, and the page goes on.
     */
    private MatchCandidate createMatchedOn(SourceChange change, PageState page) {
        try {
            EntraUser user = sourceUser(change);
            if (UserScope.outOfScopeReason(user, page.inScope(change.id()), mapping) != null) {
                return null;
            }
            List<MatchCandidate> candidates = candidates(mapping.matchingValuesForCreate(user));
            return candidates.isEmpty() ? null : candidates.get(0);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The intent {@link #intendCreates} stored with the user's page, when it names the value the create matched. */
    @Override
    CreateIntent storedIntent(UserPlan plan) {
        CreateIntent stored = plan.page() == null ? null : plan.page().intent(plan.change().id()).orElse(null);
        MatchCandidate matched = plan.matchedOn();
        return stored != null && matched != null && stored.attribute().equals(matched.attribute())
                && stored.value().equals(matched.value()) ? stored : null;
    }

    /**
     * The plan of a preview: planned and matched as {@link #plan} does, but its first write is withheld
     * ({@link UserPlan#withheldWrite()}) and nothing is stored, not even a create intent. End it with
     * {@link #previewEnded}.
     */
    public UserPlan preview(@Body SourceChange change, @ExchangeProperty("cycle") CycleRun cycle) {
        return start(newPlan(change, cycle, null, true));
    }

    /** Frees the SelectUniqueValue candidates a preview reserved; a preview that never planned holds none. */
    public void previewEnded(@ExchangeProperty("plan") UserPlan plan) {
        if (plan != null) {
            reservations.settle(plan.change().id(), plan.reserved(), false);
        }
    }

    private UserPlan newPlan(SourceChange change, CycleRun cycle, PageState page, boolean preview) {
        PageState known = page != null && page.covers(change.id()) ? page : null;
        Link link = (known != null ? known.link(change.id()) : links.link(ObjectType.USER, change.id())).orElse(null);
        return new UserPlan(this, cycle, change, link, known, preview);
    }

    /** Stores the outcome and writes the log line. */
    public void record(@ExchangeProperty("plan") UserPlan plan) {
        recordOutcomeOf(plan);
    }

    /** An exception on the way (connection refused, timeout, a bug): this user fails, the cycle goes on. */
    public void failed(@ExchangeProperty("plan") ObjectPlan plan, @ExchangeProperty("change") SourceChange change,
                       @ExchangeProperty("cycle") CycleRun cycle, @ExchangeProperty("CamelExceptionCaught") Exception e,
                       @ExchangeProperty(STAGED_DELETION) StagedDeletion staged) {
        UserPlan failed = plan instanceof UserPlan user ? user : newPlan(change, cycle, null, false);
        recordException(failed, staged, e);
    }

    /**
     * Whether provision on demand lists the target's users first, as a cycle does: a target without filters whose
     * mapping has SelectUniqueValue rows, whose candidates can only be checked against a whole listing.
     */
    public boolean listsOnDemand() {
        return !target.filter() && !mapping.uniqueValueRules().isEmpty();
    }

    // ---- planning

    /** What the change asks for by Entra's rules, from what the store holds for the user. */
    @Override
    void planChange(UserPlan plan) {
        switch (plan.change().kind()) {
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

    @Override
    void planRelease(UserPlan plan, StagedDeletion staged) {
        if (StagedDeletion.DELETE.equals(staged.action())) {
            planDelete(plan);
        } else {
            planDisable(plan, staged.reason());
        }
    }

    private String outOfScopeReason(UserPlan plan) {
        String id = plan.change().id();
        boolean assigned = plan.page() != null ? plan.page().inScope(id) : inScope.test(id);
        plan.scopeRead(assigned);
        return UserScope.outOfScopeReason(sourceUser(plan.change()), assigned, mapping);
    }

    private void planDelete(UserPlan plan) {
        if (plan.link() == null || !plan.link().isLinked()) {
            plan.finish("other", "skipped", "deleted in Entra ID; never provisioned");
        } else if (removalDue(plan, StagedDeletion.DELETE, plan.change().kind(), "deleted in Entra ID")) {
            sendDelete(plan);
        }
    }

    private void planDisable(UserPlan plan, String reason) {
        if (plan.link() == null || !plan.link().isLinked()) {
            plan.finish("other", "skipped", reason + "; not provisioned");
        } else if (!plan.link().active()) {
            plan.finish("other", "skipped", reason + "; already disabled");
        } else if (removalDue(plan, StagedDeletion.DISABLE, plan.change().kind(), reason)) {
            plan.because(reason);
            plan.changes("active", BooleanNode.TRUE, BooleanNode.FALSE);
            sendUpdate(plan, ObjectPlan.Step.DISABLE, UserResources.disable());
        }
    }

    private void planProvision(UserPlan plan) {
        EntraUser user = sourceUser(plan.change());
        plan.leavesAlone(mapping.ignoredTargets(user));
        plan.mapped(new LinkedHashMap<>(mapping.valuesForCreate(user)),
                new LinkedHashMap<>(mapping.valuesForUpdate(user)));
        resolveReferences(plan, user);
        Link link = plan.link();
        if (link != null && link.isLinked()) {
            Map<String, JsonNode> before = new LinkedHashMap<>(link.values());
            if (!link.active()) {
                before.put("active", BooleanNode.FALSE);
            }
            planUpdate(plan, before, link.active() ? null : "enabled again");
            return;
        }
        List<MatchCandidate> candidates = candidates(plan);
        if (!candidates.isEmpty() && listing != null && listing.rulesOut(plan.cycle(), candidates)) {
            // The target held none of the user's matching values when the cycle listed it: no query can find one.
            plan.matchOn(candidates);
            plan.matching(plan.nextCandidate());
            createOrSkip(plan);
            return;
        }
        match(plan);
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
            if (!(rule.source() instanceof MappingRule.Direct direct)
                    || !EntraUser.MANAGER.equals(direct.attribute())) {
                continue;
            }
            Object managerId = user.get(EntraUser.MANAGER);
            if (managerId == Ignored.INSTANCE) {
                plan.leavesAlone(List.of(rule.target()));
                continue;
            }
            if (managerId == null) {
                continue;
            }
            String manager = managerId.toString();
            PageState page = plan.page();
            String targetId = (page != null && page.knowsManager(manager) ? page.manager(manager)
                    : links.link(ObjectType.USER, manager)).map(Link::targetId).orElse(null);
            if (targetId == null) {
                plan.referenceLeftOut(rule.target());
            } else {
                plan.referenceResolved(rule.target(), targetId);
            }
        }
    }

    private void planUpdate(UserPlan plan, Map<String, JsonNode> before, String reason) {
        List<String> paths = plan.syncedPaths(mapping.updatedTargets());
        Map<String, JsonNode> after = new LinkedHashMap<>(plan.updateValues());
        if (!after.containsKey("active")) {
            // Entra re-enables an account whose mapping does not carry active itself.
            paths.add("active");
            after.put("active", BooleanNode.TRUE);
            before.putIfAbsent("active", BooleanNode.TRUE);
        }
        List<PatchOperation> operations = UserResources.diff(before, after, paths, mapping.additiveTargets());
        if (operations.isEmpty()) {
            plan.finish("other", plan.matchedExisting() ? "success" : "skipped",
                    plan.matchedExisting() ? "linked to the existing account; nothing to change" : "no change");
            return;
        }
        if (!mapping.actions().update()) {
            plan.finish("other", "skipped", "update is switched off");
            return;
        }
        for (PatchOperation op : operations) {
            String path = op.getPath().toString();
            plan.changes(path, before.get(path), after.get(path));
        }
        plan.because(reason);
        sendUpdate(plan, ObjectPlan.Step.UPDATE, operations);
    }

    /** PATCH in the target's dialect, or for a target without PATCH: GET, apply here, PUT. */
    private void sendUpdate(UserPlan plan, ObjectPlan.Step step, List<PatchOperation> operations) {
        Map<String, JsonNode> sent = new LinkedHashMap<>();
        for (PatchOperation op : operations) {
            if (op.getJsonNode() != null && op.getPath() != null) {
                sent.put(op.getPath().toString(), op.getJsonNode());
            }
        }
        plan.wrote(sent);
        sendWrite(plan, step, operations, () -> UserResources.patchBody(operations, dialect));
    }

    @Override
    List<String> intentPaths() {
        List<String> paths = new ArrayList<>(mapping.updatedTargets());
        paths.add("active");
        return paths;
    }

    // ---- answers

    @Override
    void answered(UserPlan plan, ScimResponse response) {
        switch (plan.step()) {
            case LIST -> afterListPage(plan, response);
            case UNIQUE -> afterUniquenessCheck(plan, response);
            case VERIFY -> afterVerify(plan, response);
            default -> throw new IllegalStateException("a user plan takes no step " + plan.step());
        }
    }

    @Override
    void linked(UserPlan plan, JsonNode existing) {
        Map<String, JsonNode> defaults = mapping.noneDefaults();
        Map<String, JsonNode> present = UserResources.valuesAt(existing, defaults.keySet());
        defaults.forEach((path, value) -> {
            JsonNode current = present.get(path);
            if (current == null || current.isTextual() && current.asText().isEmpty()) {
                plan.fillsWithDefault(path, value);
            }
        });
        List<String> paths = plan.syncedPaths(mapping.updatedTargets());
        paths.add("active");
        Map<String, JsonNode> before = new LinkedHashMap<>(UserResources.valuesAt(existing, paths));
        planUpdate(plan, before, "linked to an existing account");
    }

    @Override
    void created(UserPlan plan, boolean answerLost) {
        if (answerLost) {
            plan.finish("create", "success", "the create's reply was lost; the account was found by matching");
        } else {
            plan.wrote(plan.createValues());
            finishWrite(plan, "create", null);
        }
    }

    @Override
    void written(UserPlan plan) {
        finishWrite(plan, plan.step() == ObjectPlan.Step.DISABLE ? "disable" : "update", plan.reason());
    }

    @Override
    void gone(UserPlan plan) {
        if (plan.step() == ObjectPlan.Step.DISABLE) {
            // Nothing left to disable; the stale link goes.
            plan.goneBeforeDisable(plan.reason() + "; the account no longer exists in the target");
        } else {
            super.gone(plan);
        }
    }

    /**
     * A write succeeded: done, or with scim.verify-writes, read the account back first (not in a dry run, whose
     * writes were never sent).
     */
    private void finishWrite(UserPlan plan, String action, String reason) {
        if (!verifyWrites || plan.sentValues().isEmpty() || plan.cycle().dryRun()) {
            plan.finish(action, "success", reason);
            return;
        }
        plan.because(reason);
        plan.send(ObjectPlan.Step.VERIFY, ScimRequest.get(type.endpoint() + "/" + plan.targetId(), null));
    }

    /**
     * Targets drop attributes their schema lacks and still answer success (Keycloak drops phoneNumbers and
     * addresses). The read-back turns that into a warning naming them, instead of a silent loss.
     */
    private void afterVerify(UserPlan plan, ScimResponse response) {
        if (!response.isSuccess()) {
            plan.finish(plan.action(), "warning", ObjectPlan.join(plan.reason(),
                    "written, but could not be read back: " + response.errorReason()));
            return;
        }
        Map<String, JsonNode> kept = UserResources.valuesAt(response.body(), plan.sentValues().keySet());
        List<String> dropped = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        plan.sentValues().forEach((path, sent) -> {
            JsonNode now = kept.get(path);
            if (now == null) {
                dropped.add(path);
            } else if (!now.equals(sent) && !(now.isTextual() && sent.isTextual()
                    && now.asText().equalsIgnoreCase(sent.asText()))) {
                changed.add(path);
            }
        });
        if (dropped.isEmpty() && changed.isEmpty()) {
            plan.finish(plan.action(), "success", plan.reason());
            return;
        }
        String warning = (dropped.isEmpty() ? "" : "the target did not keep " + String.join(", ", dropped))
                + (dropped.isEmpty() || changed.isEmpty() ? "" : "; ")
                + (changed.isEmpty() ? "" : "the target stored other values for " + String.join(", ", changed));
        plan.finish(plan.action(), "warning", ObjectPlan.join(plan.reason(), warning));
    }

    /**
     * On demand there is no cycle's listing (unless listsOnDemand): its pages are searched until one holds the
     * value.
     */
    @Override
    boolean searchesListing(UserPlan plan) {
        if (plan.cycle().type() != CycleRun.Type.ON_DEMAND) {
            return false;
        }
        plan.searchesListingFrom(1);
        plan.send(ObjectPlan.Step.LIST, listing.pageAt(plan.listStart()));
        return true;
    }

    /** One page of the on-demand search through the listing: the account found, the next page, or none. */
    private void afterListPage(UserPlan plan, ScimResponse response) {
        if (!response.isSuccess()) {
            plan.failOnError(response);
            return;
        }
        MatchIndex.Search search = listing.search(response, plan.listStart(), plan.matchedOn());
        if (search.problem() != null) {
            plan.fail("TargetListingUnavailable", "the SCIM target supports no filter, and its listing of users "
                    + "cannot be searched: " + search.problem());
        } else if (search.id() == null && search.nextStartIndex() > 0) {
            plan.searchesListingFrom(search.nextStartIndex());
            plan.send(ObjectPlan.Step.LIST, listing.pageAt(plan.listStart()));
        } else {
            listed(plan, search.id(), true);
        }
    }

    // ---- SelectUniqueValue

    /**
     * SelectUniqueValue rows: each takes the first candidate, in rule order, that no other user of the run has
     * reserved and the target does not hold (a filter query on the row's target attribute, escaped as matching is,
     * or the cycle's listing of a target without filters). True when every row is settled; false when a query was
     * sent (its answer comes back as the plan's next answer) or the user failed because every candidate is taken.
     */
    @Override
    boolean readyToCreate(UserPlan plan) {
        if (!plan.uniqueChoicesPlanned()) {
            List<UserPlan.UniqueChoice> choices = new ArrayList<>();
            EntraUser user = sourceUser(plan.change());
            for (MappingRule rule : mapping.uniqueValueRules()) {
                List<String> candidates = mapping.uniqueValueCandidates(rule, user);
                if (!candidates.isEmpty()) {
                    choices.add(new UserPlan.UniqueChoice(rule.target(), candidates));
                }
            }
            plan.choosesUniqueValues(choices);
        }
        String owner = plan.change().id();
        for (UserPlan.UniqueChoice choice = plan.uniqueChoice(); choice != null; choice = plan.uniqueChoice()) {
            String candidate = choice.current();
            if (candidate == null) {
                plan.fail("NoUniqueValue", new NoUniqueValueException(choice.candidates).reasonFor(choice.target));
                return false;
            }
            if (!reservations.reserve(choice.target, candidate, owner)) {
                choice.taken();
                continue;
            }
            plan.reserves(new MatchCandidate(choice.target, candidate));
            if (target.filter()) {
                plan.send(ObjectPlan.Step.UNIQUE, ScimRequest.get(type.endpoint(),
                        UserResources.matchQuery(choice.target, candidate)));
                return false;
            }
            Boolean listed = listing.holds(plan.cycle(), choice.target, candidate);
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
            plan.failOnError(response);
            return;
        }
        settleCandidate(plan, plan.uniqueChoice(), UserResources.findsAny(response.body()));
        createOrSkip(plan);
    }

    /** A candidate the target holds is released and the next one tried; a free one is the row's value. */
    private void settleCandidate(UserPlan plan, UserPlan.UniqueChoice choice, boolean taken) {
        String candidate = choice.current();
        if (taken) {
            reservations.release(choice.target, candidate, plan.change().id());
            plan.unreserves(new MatchCandidate(choice.target, candidate));
            choice.taken();
        } else {
            plan.chose(choice, candidate);
        }
    }

    // ---- recording

    /** A listed target holds a value created now only in the next cycle's listing: keep it reserved till then. */
    @Override
    void settle(UserPlan plan) {
        reservations.settle(plan.change().id(), plan.reserved(), !plan.failed() && "create".equals(plan.action())
                && !target.filter());
    }

    @Override
    void recordOutcome(UserPlan plan) {
        String id = plan.change().id();
        String cycleId = plan.cycle().id();
        Link l = plan.link();
        Link outcome = switch (plan.action()) {
            case "delete" -> tombstone(id, cycleId);
            case "create", "update" -> new Link(id, plan.targetId(), plan.matchValue(), true,
                    plan.provisionedValues(), cycleId, plan.retryAfterSuccess(), null);
            case "disable" -> {
                Map<String, JsonNode> values = new LinkedHashMap<>(l.values());
                values.put("active", BooleanNode.FALSE);
                yield new Link(id, plan.targetId(), l.matchValue(), false, values, cycleId, null, null);
            }
            // Linked to an account that already held the mapped values.
            default -> plan.matchedExisting() ? new Link(id, plan.targetId(), plan.matchValue(), true,
                    plan.provisionedValues(), cycleId, plan.retryAfterSuccess(), null)
                    // Nothing to send; remember that this cycle saw the user so that later passes skip it.
                    : l == null ? new Link(id, null, null, false, Map.of(), cycleId, null, null) : seen(l, cycleId);
        };
        // A cycle's outcomes are committed a page at a time; an admin's on-demand run answers once its is.
        if (plan.cycle().type() == CycleRun.Type.ON_DEMAND) {
            links.save(ObjectType.USER, outcome);
        } else {
            links.saveDeferred(ObjectType.USER, outcome);
        }
        plan.cycle().count(outcome(plan.action()));
    }

    @Override
    String retryAction(UserPlan plan) {
        return plan.change().kind() == SourceChange.Kind.HARD_DELETED ? Link.RETRY_DELETE : Link.RETRY_REFRESH;
    }

    @Override
    Link beforeFailure(UserPlan plan) {
        Link l = plan.link();
        return l != null ? l : new Link(plan.change().id(), plan.targetId(), null, false, Map.of(), null, null, null);
    }

    @Override
    void countFailure(UserPlan plan, Escrow escrowed) {
        plan.cycle().countFailure(escrowed);
    }

    /** A user of the cycle's changes got its outcome; released deletions were counted by the cycle that held them. */
    @Override
    void processed(UserPlan plan) {
        if (plan.releasing() == null) {
            plan.cycle().progress().userDone(plan.isAssigned(), Instant.now());
        }
    }
}
