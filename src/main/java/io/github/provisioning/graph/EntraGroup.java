package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.mapping.SourceAttributes;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A Graph group seen through Entra's attribute names: {@code objectId} is Graph's {@code id}. {@code members} is
 * not a value: the membership is kept in the state store and written as PATCH add/remove of members.
 */
public record EntraGroup(ObjectNode graph) implements SourceAttributes {

    /** The mapping target (and source) that switches membership provisioning on. */
    public static final String MEMBERS = "members";

    /** Always read: the group's names and its members (members@delta). */
    private static final List<String> ALWAYS = List.of("displayName", "description", "mailNickname", MEMBERS);

    @Override
    public Object get(String entraName) {
        if (EntraUser.IS_SOFT_DELETED.equals(entraName)) {
            return false;
        }
        if (MEMBERS.equals(entraName)) {
            return null;
        }
        return EntraUser.value(graph.get("objectId".equals(entraName) ? "id" : entraName));
    }

    public String id() {
        return graph.path("id").asText(null);
    }

    public String displayName() {
        return graph.path("displayName").asText(null);
    }

    /** The groups delta {@code $select}: the names, the members, and whatever the group mapping reads. */
    public static String select(Collection<String> entraNames) {
        TreeSet<String> properties = new TreeSet<>(ALWAYS);
        for (String name : entraNames) {
            if (!EntraUser.IS_SOFT_DELETED.equals(name) && !"objectId".equals(name) && !"id".equals(name)) {
                properties.add(name);
            }
        }
        return String.join(",", properties);
    }
}
