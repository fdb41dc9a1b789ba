package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.GraphException;
import io.github.provisioning.graph.GraphPage;
import io.github.provisioning.graph.GraphResponses;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.GroupMemberStore;
import io.github.provisioning.state.GroupStore;
import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.ScopeStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups part of a cycle: reads the groups delta into the state store (group properties and members@delta,
 * merged by id whatever page they come on), and names the groups the cycle must provision. Groups are read only
 * when the profile provisions them (a group mapping, and {@code compat: groups} not false).
 */
public final class Groups {

    private static final Logger LOG = LoggerFactory.getLogger(Groups.class);

    private final GroupStore store;
    private final GroupMemberStore memberships;
    private final ScopeStore scope;
    private final JobStateStore jobState;
    private final String graphUrl;
    private final boolean enabled;
    private final boolean assignedScope;
    private final String select;
    private final String configurationFingerprint;

    /**
     * @param enabled                  whether the profile provisions groups
     * @param select                   the groups delta {@code $select}
     * @param configurationFingerprint changes when the mapping or the scope changes; a groups round read with another
     *                                 one is not resumed
     */
    public Groups(GroupStore store, GroupMemberStore memberships, ScopeStore scope, JobStateStore jobState,
                  String graphUrl, boolean enabled, boolean assignedScope, String select,
                  String configurationFingerprint) {
        this.store = store;
        this.memberships = memberships;
        this.scope = scope;
        this.jobState = jobState;
        this.graphUrl = graphUrl.replaceAll("/+$", "");
        this.enabled = enabled;
        this.assignedScope = assignedScope;
        this.select = select;
        this.configurationFingerprint = configurationFingerprint;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Marks the cycle as one that provisions groups; false when the profile does not (no request to /Groups). */
    public boolean begin(@ExchangeProperty("cycle") CycleRun cycle) {
        cycle.groupsProvisioned(enabled);
        return enabled;
    }

    /**
     * The first page not staged of a groups round an earlier cycle did not finish; otherwise the stored groups
     * deltaLink for an incremental cycle, or a full round.
     */
    public String deltaUrl(@ExchangeProperty("cycle") CycleRun cycle) {
        Optional<DeltaRound> unfinished = jobState.watermark(Cycles.GROUPS_ROUND).flatMap(DeltaRound::decode)
                .filter(round -> configurationFingerprint.equals(round.configuration()));
        if (unfinished.isPresent()) {
            cycle.groupsRound().resume(unfinished.get());
            LOG.info("Cycle {}: resumes groups delta round {} after its {} pages staged", cycle.id(),
                    cycle.groupsRound().id(), unfinished.get().pagesDone());
            return unfinished.get().nextLink();
        }
        Optional<String> watermark = cycle.type() == CycleRun.Type.INCREMENTAL
                ? jobState.watermark(Cycles.GROUPS_WATERMARK) : Optional.empty();
        cycle.groupsRound().start(cycle.id(), watermark.isEmpty());
        return watermark.orElseGet(this::firstPage);
    }

    /**
     * Graph refused the groups delta link: an expired token, or a resumed round's page no longer served. Reads every
     * group again, as for users; any other refusal fails the cycle.
     */
    public GraphPage restartDeltaRound(@ExchangeProperty("cycle") CycleRun cycle,
                                       @ExchangeProperty("CamelExceptionCaught") GraphException cause) {
        if (!DeltaRound.startsOver(cause, cycle.groupsRound().atResumedPage())) {
            throw cause;
        }
        LOG.warn("Cycle {}: Graph no longer serves the groups delta {} ({}); reading all groups again", cycle.id(),
                cycle.groupsRound().resumed() != null ? "page its round stopped at" : "token", cause.getMessage());
        cycle.groupsRound().start(UUID.randomUUID().toString(), true);
        return new GraphPage(List.of(), firstPage(), null);
    }

    /** Stores one page: each group's state and properties, and its members@delta as membership changes. */
    public void stage(@ExchangeProperty("cycle") CycleRun cycle, @Body GraphPage page) {
        String round = cycle.groupsRound().id();
        for (SourceChange change : page.changes()) {
            switch (change.kind()) {
                case SOFT_DELETED -> store.stageGroup(change.id(), GroupStore.GroupSource.SOFT_DELETED, null, round);
                case HARD_DELETED -> store.stageGroup(change.id(), GroupStore.GroupSource.DELETED, null, round);
                default -> {
                    ObjectNode properties = change.graph().deepCopy();
                    JsonNode members = properties.remove("members@delta");
                    properties.remove("@odata.type");
                    store.stageGroup(change.id(), GroupStore.GroupSource.PRESENT, properties, round);
                    memberships.stageMembers(change.id(), memberChanges(members), round);
                }
            }
        }
    }

    /**
     * Provision on demand read one group and its direct members from Graph now: stores them as a delta page would,
     * members the store had and Graph no longer lists as ended. A groups round left unfinished is the round that
     * saw them, so that its end does not take them for gone.
     *
     * @param members every direct member (users and others), as {@code /groups/{id}/members} lists them
     */
    public void stageOnDemand(String groupId, ObjectNode properties, List<GraphResponses.Principal> members,
                              String runId) {
        String round = jobState.watermark(Cycles.GROUPS_ROUND).flatMap(DeltaRound::decode).map(DeltaRound::id)
                .orElse(runId);
        ObjectNode stored = properties.deepCopy();
        stored.remove("@odata.context");
        stored.remove("@odata.type");
        store.stageGroup(groupId, GroupStore.GroupSource.PRESENT, stored, round);
        List<GroupMemberStore.MemberChange> changes = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (GraphResponses.Principal member : members) {
            listed.add(member.id());
            changes.add(new GroupMemberStore.MemberChange(member.id(), member.type().toLowerCase(Locale.ROOT), true));
        }
        for (GroupMemberStore.MemberChange known : memberships.sourceMembers(groupId)) {
            if (!listed.contains(known.memberId())) {
                changes.add(new GroupMemberStore.MemberChange(known.memberId(), known.memberType(), false));
            }
        }
        memberships.stageMembers(groupId, changes, round);
    }

    /**
     * Counts the staged page and returns the next page's URL, stored as the groups round's place so that a cycle that
     * stops later resumes there; the last page's deltaLink waits for the cycle's end.
     */
    public String pageRead(@ExchangeProperty("cycle") CycleRun cycle, @Body GraphPage page) {
        cycle.pageRead();
        int done = cycle.groupsRound().pageDone();
        if (page.nextLink() == null) {
            if (page.deltaLink() == null) {
                throw new IllegalStateException("Graph's last groups page carries neither a nextLink nor a deltaLink");
            }
            cycle.groupDeltaLink(page.deltaLink());
        } else {
            jobState.putWatermarkDurably(Cycles.GROUPS_ROUND,
                    cycle.groupsRound().next(page.nextLink(), done, configurationFingerprint).encode());
        }
        return page.nextLink();
    }

    /** After the last page of a full round: what the round did not list is gone from Entra ID. */
    public void roundRead(@ExchangeProperty("cycle") CycleRun cycle) {
        if (cycle.groupsRound().full()) {
            store.finishFullGroupRound(cycle.groupsRound().id());
        }
    }

    /** The groups to provision now, by id (the memberships stay in the state store); failed ones once due. */
    public List<String> toProvision(@ExchangeProperty("cycle") CycleRun cycle) {
        return store.groupsToProvision(assignedScope, cycle.start());
    }

    /** Assigned groups are in scope (scope all: every group). */
    public boolean inScope(String groupId) {
        return !assignedScope || scope.inNextGroupScope(groupId);
    }

    private static List<GroupMemberStore.MemberChange> memberChanges(JsonNode members) {
        List<GroupMemberStore.MemberChange> changes = new ArrayList<>();
        if (members == null || !members.isArray()) {
            return changes;
        }
        for (JsonNode member : members) {
            String id = member.path("id").asText(null);
            if (id == null) {
                continue;
            }
            String type = member.path("@odata.type").asText("#microsoft.graph.user");
            String kind = type.substring(type.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            changes.add(new GroupMemberStore.MemberChange(id, kind, !member.has("@removed")));
        }
        return changes;
    }

    private String firstPage() {
        return graphUrl + "/groups/delta?$select="
                + URLEncoder.encode(select, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
