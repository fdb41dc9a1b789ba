package io.github.provisioning.cycle;

import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.GroupStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The provisioning of one group in one cycle: match or create the group, rename it, then write its membership
 * changes as PATCH batches of at most {@code scim.members-per-patch} members, taken from the state store one
 * batch at a time (a 100,000-member group is never held in memory), or delete it.
 */
public final class GroupPlan extends ObjectPlan {

    public enum Step {
        MATCH, CREATE, UPDATE, REMOVE_MEMBERS, ADD_MEMBERS, DELETE,
        /** A target without PATCH: read the group, to PUT it back with the changes applied. */
        FETCH,
        DONE
    }

    /** One group may need many member batches; anything else is a handful of requests. */
    private static final int MAX_REQUESTS = 1_000_000;
    /** The log names at most this many member ids per direction; the counts are always complete. */
    static final int LOGGED_IDS = 50;

    final String groupId;
    final GroupStore.GroupSource source;
    String identity;
    boolean created;
    boolean rematched;
    boolean propertiesChanged;
    /** The member batch the pending PATCH writes. */
    List<GroupStore.GroupMember> batch = List.of();
    String lastBatchStart;
    int added;
    int removed;
    final List<String> addedIds = new ArrayList<>();
    final List<String> removedIds = new ArrayList<>();
    /** For a PUT target: the operations to apply to the fetched group, and the step the PUT stands for. */
    List<com.unboundid.scim2.common.messages.PatchOperation> pendingOperations = List.of();
    Step putStep;
    Step step = Step.DONE;

    GroupPlan(CycleRun cycle, String groupId, GroupStore.GroupSource source, Link link) {
        super(cycle, link);
        this.groupId = groupId;
        this.source = source;
        this.identity = source == null ? null : source.properties().path("displayName").asText(null);
        if (identity == null && link != null) {
            identity = link.matchValue();
        }
    }

    void send(Step step, ScimRequest request) {
        sendRequest(request, MAX_REQUESTS);
        this.step = step;
        this.action = switch (step) {
            case CREATE -> "create";
            case DELETE -> "delete";
            case UPDATE, REMOVE_MEMBERS, ADD_MEMBERS, FETCH -> created ? "create" : "update";
            case MATCH, DONE -> action;
        };
    }

    @Override
    void finish(String action, String status, String reason) {
        this.step = Step.DONE;
        super.finish(action, status, reason);
    }
}
