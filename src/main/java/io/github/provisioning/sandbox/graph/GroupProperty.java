package io.github.provisioning.sandbox.graph;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

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

    private static final Map<String, GroupProperty> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(p -> p.graphName.toLowerCase(Locale.ROOT), Function.identity()));

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
        return Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
    }
}
