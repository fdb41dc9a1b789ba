package io.github.provisioning.cycle;

import io.github.provisioning.state.Link;
import io.github.provisioning.state.GroupMemberStore;
import io.github.provisioning.state.GroupStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The provisioning of one group in one cycle: match or create the group, rename it, then write its membership
 * changes as PATCH batches of at most {@code scim.members-per-patch} members, taken from the state store one
 * batch at a time (a 100,000-member group is never held in memory), or delete it.
 */
public final class GroupPlan extends ObjectPlan {

    /** One group may need many member batches; anything else is a handful of requests. */
    private static final int MAX_REQUESTS = 1_000_000;
    /** The log names at most this many member ids per direction; the counts are always complete. */
    static final int LOGGED_IDS = 50;

    private final String groupId;
    private final GroupStore.GroupSource source;
    private final String identity;
    private boolean propertiesChanged;
    /** The member batch the pending PATCH writes. */
    private List<GroupMemberStore.GroupMember> batch = List.of();
    private String lastBatchStart;
    private int added;
    private int removed;
    private final List<String> addedIds = new ArrayList<>();
    private final List<String> removedIds = new ArrayList<>();

    GroupPlan(GroupProvisioner provisioner, CycleRun cycle, String groupId, GroupStore.GroupSource source,
              Link link) {
        super(provisioner, cycle, link);
        this.groupId = groupId;
        this.source = source;
        String name = source == null ? null : source.properties().path("displayName").asText(null);
        this.identity = name == null && link != null ? link.matchValue() : name;
    }

    @Override
    String sourceId() {
        return groupId;
    }

    @Override
    String identity() {
        return identity;
    }

    @Override
    String objectType() {
        return "group";
    }

    @Override
    int maxRequests() {
        return MAX_REQUESTS;
    }

    @Override
    String actionOf(Step step) {
        return switch (step) {
            case CREATE -> "create";
            case DELETE -> "delete";
            case UPDATE, REMOVE_MEMBERS, ADD_MEMBERS, FETCH -> isCreated() ? "create" : "update";
            default -> action();
        };
    }

    // ---- what happened

    /** The group's properties differ from the target's: a PATCH replaces them. */
    void propertiesChanged() {
        propertiesChanged = true;
    }

    /** The linked group was gone: what was written to it is void. */
    void propertiesForgotten() {
        propertiesChanged = false;
    }

    /**
     * The next membership batch is sent ({@code step}: {@link Step#ADD_MEMBERS}, {@link Step#REMOVE_MEMBERS}).
     *
     * @throws IllegalStateException when the store gives the same batch twice in a row (it would loop for ever)
     */
    void sendsMembers(Step step, List<GroupMemberStore.GroupMember> batch) {
        String start = step + ":" + batch.get(0).memberId();
        if (start.equals(lastBatchStart)) {
            throw new IllegalStateException("the same member batch came twice for group " + groupId);
        }
        lastBatchStart = start;
        this.batch = batch;
    }

    /** The target took the pending member batch: counted, and its first ids kept for the log. */
    void membersWritten() {
        boolean add = step() == Step.ADD_MEMBERS;
        List<String> ids = add ? addedIds : removedIds;
        for (GroupMemberStore.GroupMember member : batch) {
            if (ids.size() < LOGGED_IDS) {
                ids.add(member.memberId());
            }
        }
        if (add) {
            added += batch.size();
        } else {
            removed += batch.size();
        }
    }

    // ---- reading the plan, for its provisioner

    String groupId() {
        return groupId;
    }

    GroupStore.GroupSource source() {
        return source;
    }

    List<GroupMemberStore.GroupMember> batch() {
        return batch;
    }

    int added() {
        return added;
    }

    int removed() {
        return removed;
    }

    List<String> addedIds() {
        return addedIds;
    }

    List<String> removedIds() {
        return removedIds;
    }

    /** Whether the group's properties or its members changed in the target. */
    boolean changedInTarget() {
        return propertiesChanged || added > 0 || removed > 0;
    }
}
