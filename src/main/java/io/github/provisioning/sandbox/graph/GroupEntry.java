package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * One group slot of the tenant. Memberships are kept in arrival order and never removed from the list (a removal
 * marks them), so paging cursors stay valid while members come and go. Guarded by the tenant's lock.
 */
final class GroupEntry extends DirectoryObject {

    private final String id;
    final Object[] values;
    final List<Membership> memberships = new ArrayList<>();
    private final IdentityHashMap<DirectoryObject, Membership> byMember = new IdentityHashMap<>();

    GroupEntry(String id, Object[] values, long version) {
        super(version);
        this.id = id;
        this.values = values;
    }

    @Override
    String id() {
        return id;
    }

    @Override
    String odataType() {
        return "#microsoft.graph.group";
    }

    @Override
    String principalType() {
        return "Group";
    }

    @Override
    String displayName() {
        return (String) values[GroupProperty.DISPLAY_NAME.ordinal()];
    }

    Membership membership(DirectoryObject member) {
        return byMember.get(member);
    }

    /** Adds a member known to be new; returns false when it already has a membership record. */
    boolean addMembership(DirectoryObject member, long version) {
        Membership existing = byMember.get(member);
        if (existing != null) {
            return false;
        }
        Membership membership = new Membership(member, version);
        memberships.add(membership);
        byMember.put(member, membership);
        return true;
    }

    ObjectNode toJson(List<GroupProperty> select) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id);
        for (GroupProperty property : select) {
            node.set(property.graphName(), property.kind().toJson(values[property.ordinal()]));
        }
        return node;
    }
}
