package io.github.provisioning.sandbox.graph;

import java.util.List;

/**
 * A parsed group $select. {@code members} asks groups delta for members@delta; without a $select Graph returns
 * every property and the members.
 */
record GroupSelection(List<GroupProperty> properties, boolean members, String canonical) implements Selection {

    static GroupSelection parse(String select) {
        if (select == null || select.isBlank()) {
            return new GroupSelection(GroupProperty.ALL, true, "");
        }
        PropertyNames.Selected<GroupProperty> selected =
                GroupProperty.NAMES.parseSelect(select, "group", "id", "members");
        return new GroupSelection(selected.properties(), selected.otherNames().contains("members"),
                selected.canonical());
    }

    @Override
    public String entitySet() {
        return "groups";
    }
}
