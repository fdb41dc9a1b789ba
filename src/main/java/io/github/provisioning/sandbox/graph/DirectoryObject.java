package io.github.provisioning.sandbox.graph;

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

    boolean live() {
        return state == Lifecycle.LIVE;
    }
}
