package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A user or a group: what group members and app role assignees have in common, and where each stands in its
 * lifecycle. Guarded by the tenant's lock.
 */
abstract sealed class DirectoryObject permits UserEntry, GroupEntry {

    /** The tenant clock value of the last change. */
    long version;
    Lifecycle state = Lifecycle.LIVE;

    DirectoryObject(long version) {
        this.version = version;
    }

    abstract String id();

    /** "#microsoft.graph.user" or "#microsoft.graph.group". */
    abstract String odataType();

    /** "User" or "Group", as appRoleAssignment.principalType spells it. */
    abstract String principalType();

    abstract String displayName();

    /** The object as a relationship names it: {@code {"@odata.type": "#microsoft.graph.user", "id": "..."}}. */
    ObjectNode reference() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("@odata.type", odataType());
        node.put("id", id());
        return node;
    }

    boolean live() {
        return state == Lifecycle.LIVE;
    }
}
