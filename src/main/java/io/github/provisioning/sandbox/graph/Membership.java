package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A direct member of a group; {@code version} is when it last joined, left, or its member was (un)deleted. */
final class Membership {

    final DirectoryObject member;
    long version;
    boolean removed;

    Membership(DirectoryObject member, long version) {
        this.member = member;
        this.version = version;
    }

    /** Graph lists only members that still exist: a deleted user drops out of its groups. */
    boolean visible() {
        return !removed && member.live();
    }

    ObjectNode reference() {
        return member.reference();
    }
}
