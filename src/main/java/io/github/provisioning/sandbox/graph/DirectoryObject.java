package io.github.provisioning.sandbox.graph;

/** A user or a group: what group members and app role assignees have in common. */
interface DirectoryObject {

    String id();

    Lifecycle state();

    /** "#microsoft.graph.user" or "#microsoft.graph.group". */
    String odataType();

    /** "User" or "Group", as appRoleAssignment.principalType spells it. */
    String principalType();

    String displayName();

    default boolean live() {
        return state() == Lifecycle.LIVE;
    }
}
