package io.github.provisioning.sandbox.graph;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed group $select. {@code members} asks groups delta for members@delta; without a $select Graph returns
 * every property and the members.
 */
record GroupSelection(List<GroupProperty> properties, boolean members, String canonical) {

    static GroupSelection parse(String select) {
        if (select == null || select.isBlank()) {
            return new GroupSelection(GroupProperty.ALL, true, "");
        }
        Set<GroupProperty> properties = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        boolean members = false;
        for (String name : select.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equalsIgnoreCase("id")) {
                if (!names.contains("id")) {
                    names.add("id");
                }
            } else if (trimmed.equalsIgnoreCase("members")) {
                if (!members) {
                    names.add("members");
                }
                members = true;
            } else {
                GroupProperty property = GroupProperty.byName(trimmed)
                        .orElseThrow(() -> GraphError.unknownProperty(trimmed, "group"));
                if (properties.add(property)) {
                    names.add(property.graphName());
                }
            }
        }
        return new GroupSelection(List.copyOf(properties), members, String.join(",", names));
    }

    String context(String graphUrl) {
        return graphUrl + "/$metadata#groups" + (canonical.isEmpty() ? "" : "(" + canonical + ")");
    }
}
