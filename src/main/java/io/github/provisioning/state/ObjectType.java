package io.github.provisioning.state;

/** The kinds of source object the state store keeps links, escrows and staged deletions for. */
public final class ObjectType {

    public static final String USER = "user";
    public static final String GROUP = "group";

    private ObjectType() {
    }
}
