package io.github.provisioning.sandbox.graph;

import java.util.List;

/**
 * A parsed user $select. {@code canonical} is the list as Graph names it ("" when the request had no $select),
 * which is what delta tokens carry and what @odata.context shows.
 */
record UserSelection(List<UserProperty> properties, String canonical) implements Selection {

    static UserSelection parse(String select) {
        if (select == null || select.isBlank()) {
            return new UserSelection(UserProperty.DEFAULT_SELECT, "");
        }
        PropertyNames.Selected<UserProperty> selected = UserProperty.NAMES.parseSelect(select, "user", "id");
        return new UserSelection(selected.properties(), selected.canonical());
    }

    @Override
    public String entitySet() {
        return "users";
    }
}
