package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.state.Link;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provisioning of one user in one cycle: match, then create or update; disable or delete; with SelectUniqueValue
 * checks before a create, references (manager) written once their object is provisioned, and in a preview the first
 * write withheld.
 */
public final class UserPlan extends ObjectPlan {

    /**
     * A SelectUniqueValue row to settle before the create: its target attribute and its candidates in rule order,
     * the first one not yet taken being the one being checked.
     */
    static final class UniqueChoice {
        final String target;
        final List<String> candidates;
        private int next;

        UniqueChoice(String target, List<String> candidates) {
            this.target = target;
            this.candidates = List.copyOf(candidates);
        }

        /** The candidate being checked, or null when every one is taken. */
        String current() {
            return next < candidates.size() ? candidates.get(next) : null;
        }

        /** The candidate being checked is taken: the next one is checked. */
        void taken() {
            next++;
        }
    }

    private static final int MAX_REQUESTS = 12;

    private final SourceChange change;
    /** The state of the user's delta page, read before the page (null outside a delta page's split). */
    private final PageState page;
    /** A preview: reads are sent, the first write is withheld instead and ends the plan. */
    private final boolean preview;
    /** Targets IgnoreFlowIfNullOrEmpty keeps out of this update: neither sent nor forgotten. */
    private final Set<String> ignoredTargets = new LinkedHashSet<>();
    /** None rows' targets this update fills with their default: empty in the account a match found. */
    private final Set<String> filledTargets = new LinkedHashSet<>();
    /** A manager that is not provisioned yet: the reference is written in a later cycle. */
    private boolean referencePending;
    /** The values the last write sent (path → value), to compare with what the target kept. */
    private Map<String, JsonNode> sentValues = Map.of();
    /** SelectUniqueValue rows not settled yet, in mapping order; null until the create is planned. */
    private Deque<UniqueChoice> uniqueChoices;
    /** The values this user holds reserved against the other users of the run (attribute, value). */
    private final List<MatchCandidate> reserved = new ArrayList<>();
    /** Uniqueness queries sent: each may add one request to the object's budget. */
    private int uniqueChecks;
    /** The startIndex of the listing page being searched on demand ({@link Step#LIST}). */
    private int listStart;
    /** Listing pages read on demand: each may add one request to the object's budget. */
    private int listPages;
    /** The user is in the assignment scope (always with scope all): what an initial cycle's progress counts. */
    private boolean assigned;
    /** In a preview: the write the plan would send next, or null when it would send none. */
    private ScimRequest withheld;

    UserPlan(UserProvisioner provisioner, CycleRun cycle, SourceChange change, Link link, PageState page,
             boolean preview) {
        super(provisioner, cycle, link);
        this.change = change;
        this.page = page;
        this.preview = preview;
    }

    @Override
    String sourceId() {
        return change.id();
    }

    @Override
    String identity() {
        String upn = change.userPrincipalName();
        return upn != null ? upn : link() == null ? null : link().matchValue();
    }

    @Override
    String objectType() {
        return "user";
    }

    @Override
    int maxRequests() {
        return MAX_REQUESTS + uniqueChecks + listPages;
    }

    @Override
    void send(Step step, ScimRequest request) {
        if (step == Step.UNIQUE) {
            uniqueChecks++;
        } else if (step == Step.LIST) {
            listPages++;
        }
        super.send(step, request);
        if (preview && !"GET".equals(request.method())) {
            // Nothing pending: the loop ends here, and the preview answers with the write it kept back.
            withheld = request;
            withhold();
        }
    }

    @Override
    String actionOf(Step step) {
        // A failure is logged with the action it was attempting (Entra logs a failed Create as a Create).
        return switch (step) {
            case CREATE, UNIQUE -> "create";
            case UPDATE -> "update";
            case DISABLE -> "disable";
            case DELETE -> "delete";
            case FETCH -> putStep() == Step.DISABLE ? "disable" : "update";
            default -> action();
        };
    }

    /** In a preview: the write (POST, PATCH, PUT, DELETE) the plan would send next, or null for none. */
    public ScimRequest withheldWrite() {
        return withheld;
    }

    // ---- what happened

    /** The scope was read: whether the user is assigned (always with scope all). */
    void scopeRead(boolean assigned) {
        this.assigned = assigned;
    }

    /** IgnoreFlowIfNullOrEmpty: these targets are neither sent nor forgotten this time. */
    void leavesAlone(Collection<String> targets) {
        ignoredTargets.addAll(targets);
    }

    /** A None row's target is empty in the account a match found: this update fills it with its default. */
    void fillsWithDefault(String path, JsonNode value) {
        filledTargets.add(path);
        updateValues().put(path, value);
    }

    /** The manager is provisioned: the reference is written as its id in the target. */
    void referenceResolved(String target, String targetId) {
        createValues().put(target, TextNode.valueOf(targetId));
        updateValues().put(target, TextNode.valueOf(targetId));
    }

    /** The manager is not provisioned yet: the reference is left out now and written in a later cycle. */
    void referenceLeftOut(String target) {
        createValues().remove(target);
        updateValues().remove(target);
        ignoredTargets.add(target);
        referencePending = true;
    }

    /** The last write sent these values (path → value). */
    void wrote(Map<String, JsonNode> values) {
        this.sentValues = values;
    }

    /** SelectUniqueValue's rows to settle before the create. */
    void choosesUniqueValues(Collection<UniqueChoice> choices) {
        uniqueChoices = new ArrayDeque<>(choices);
    }

    /** The row being settled, or null when every row is. */
    UniqueChoice uniqueChoice() {
        return uniqueChoices.peek();
    }

    /** The row being settled holds the candidate: the create sends it. */
    void chose(UniqueChoice choice, String candidate) {
        createValues().put(choice.target, TextNode.valueOf(candidate));
        uniqueChoices.remove(choice);
    }

    void reserves(MatchCandidate value) {
        reserved.add(value);
    }

    void unreserves(MatchCandidate value) {
        reserved.remove(value);
    }

    /** On demand, the target's listing is searched from this startIndex. */
    void searchesListingFrom(int startIndex) {
        listStart = startIndex;
    }

    // ---- reading the plan, for its provisioner

    SourceChange change() {
        return change;
    }

    PageState page() {
        return page;
    }

    @Override
    boolean isPreview() {
        return preview;
    }

    boolean isAssigned() {
        return assigned;
    }

    boolean uniqueChoicesPlanned() {
        return uniqueChoices != null;
    }

    List<MatchCandidate> reserved() {
        return reserved;
    }

    int listStart() {
        return listStart;
    }

    Map<String, JsonNode> sentValues() {
        return sentValues;
    }

    /**
     * The paths an update keeps in sync for this user: the mapping's, less what it leaves alone this time, plus the
     * None rows it fills.
     */
    List<String> syncedPaths(Collection<String> updatedTargets) {
        List<String> paths = new ArrayList<>(updatedTargets);
        paths.removeAll(ignoredTargets);
        paths.addAll(filledTargets);
        return paths;
    }

    /** What the target now holds: the update values, and for ignored targets whatever it held before. */
    Map<String, JsonNode> provisionedValues() {
        Map<String, JsonNode> values = new LinkedHashMap<>(updateValues());
        if (link() != null) {
            for (String target : ignoredTargets) {
                JsonNode before = link().values().get(target);
                if (before != null) {
                    values.put(target, before);
                }
            }
        }
        return values;
    }

    /** A reference left out for now is written when the user is read again next cycle. */
    String retryAfterSuccess() {
        return referencePending ? Link.RETRY_REFRESH : null;
    }
}
