package io.github.provisioning.sandbox.graph;

import java.util.List;
import java.util.Optional;

/** The microsoft.graph.group properties the simulator stores, by their Graph names. */
public enum GroupProperty {
    DISPLAY_NAME("displayName", PropertyKind.TEXT),
    DESCRIPTION("description", PropertyKind.TEXT),
    MAIL_NICKNAME("mailNickname", PropertyKind.TEXT),
    MAIL("mail", PropertyKind.TEXT),
    MAIL_ENABLED("mailEnabled", PropertyKind.BOOLEAN),
    SECURITY_ENABLED("securityEnabled", PropertyKind.BOOLEAN),
    GROUP_TYPES("groupTypes", PropertyKind.TEXT_LIST),
    VISIBILITY("visibility", PropertyKind.TEXT);

    static final int COUNT = values().length;

    static final List<GroupProperty> ALL = List.of(values());

    static final PropertyNames<GroupProperty> NAMES = new PropertyNames<>(values(), GroupProperty::graphName);

    private final String graphName;
    private final PropertyKind kind;

    GroupProperty(String graphName, PropertyKind kind) {
        this.graphName = graphName;
        this.kind = kind;
    }

    public String graphName() {
        return graphName;
    }

    PropertyKind kind() {
        return kind;
    }

    /** Graph matches property names without regard to case. */
    public static Optional<GroupProperty> byName(String name) {
        return NAMES.find(name);
    }
}
