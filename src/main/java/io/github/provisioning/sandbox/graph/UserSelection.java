package io.github.provisioning.sandbox.graph;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed user $select. {@code canonical} is the list as Graph names it ("" when the request had no $select),
 * which is what delta tokens carry and what @odata.context shows.
 */
record UserSelection(List<UserProperty> properties, String canonical) {

    static UserSelection parse(String select) {
        if (select == null || select.isBlank()) {
            return new UserSelection(UserProperty.DEFAULT_SELECT, "");
        }
        Set<UserProperty> properties = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        for (String name : select.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equalsIgnoreCase("id")) {
                if (!names.contains("id")) {
                    names.add("id");
                }
                continue;
            }
            UserProperty property = UserProperty.byName(trimmed)
                    .orElseThrow(() -> GraphError.unknownProperty(trimmed, "user"));
            if (properties.add(property)) {
                names.add(property.graphName());
            }
        }
        return new UserSelection(List.copyOf(properties), String.join(",", names));
    }

    String context(String graphUrl, String entitySet) {
        return graphUrl + "/$metadata#" + entitySet + (canonical.isEmpty() ? "" : "(" + canonical + ")");
    }
}
