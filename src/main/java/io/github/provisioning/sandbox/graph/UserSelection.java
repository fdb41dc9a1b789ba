package io.github.provisioning.sandbox.graph;

import java.util.List;

/**
 * A parsed user $select. {@code canonical} is the list as Graph names it ("" when the request had no $select),
 * which is what delta tokens carry and what @odata.context shows. {@code manager} asks users delta for
 * manager@delta; without a $select Graph tracks every property and relationship, so it is on. Anywhere but delta
 * Graph accepts manager in $select and returns nothing for it: the manager takes $expand or /manager.
 */
record UserSelection(List<UserProperty> properties, boolean manager, String canonical) implements Selection {

    static UserSelection parse(String select) {
        if (select == null || select.isBlank()) {
            return new UserSelection(UserProperty.DEFAULT_SELECT, true, "");
        }
        PropertyNames.Selected<UserProperty> selected =
                UserProperty.NAMES.parseSelect(select, "user", "id", "manager");
        return new UserSelection(selected.properties(), selected.otherNames().contains("manager"),
                selected.canonical());
    }

    @Override
    public String entitySet() {
        return "users";
    }
}
