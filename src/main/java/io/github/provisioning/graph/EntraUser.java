package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.mapping.Ignored;
import io.github.provisioning.mapping.SourceAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A Graph user seen through Entra's attribute names. Entra names some attributes differently from Graph
 * (objectId is {@code id}, telephoneNumber is {@code businessPhones[0]}, extensionAttribute1..15 are
 * {@code onPremisesExtensionAttributes.extensionAttributeN}, ...), and {@code IsSoftDeleted} is not a Graph property
 * at all: it is true when the user is unassigned, out of scope, disabled or soft-deleted.
 *
 * @param appRoleAssignments the user's app role assignments ({@link SourceAttributes#APP_ROLE_ASSIGNMENTS}); null
 *                           when not read, in which case an {@code appRoleAssignments} array in {@code graph} (the
 *                           admin preview's body) is used
 */
public record EntraUser(ObjectNode graph, boolean softDeleted, List<Map<String, String>> appRoleAssignments)
        implements SourceAttributes {

    public EntraUser(ObjectNode graph, boolean softDeleted) {
        this(graph, softDeleted, null);
    }

    /** Entra attribute name → Graph property, where they differ. */
    private static final Map<String, String> GRAPH_PROPERTIES = Map.of(
            "objectId", "id",
            "telephoneNumber", "businessPhones",
            "mobile", "mobilePhone",
            "physicalDeliveryOfficeName", "officeLocation",
            "facsimileTelephoneNumber", "faxNumber");

    public static final String IS_SOFT_DELETED = "IsSoftDeleted";

    public static final String MANAGER = "manager";

    /** Graph keeps Entra's extensionAttribute1..15 (synchronized from on-premises AD) in this object. */
    public static final String EXTENSION_ATTRIBUTES = "onPremisesExtensionAttributes";
    private static final Pattern EXTENSION_ATTRIBUTE = Pattern.compile("extensionAttribute(?:[1-9]|1[0-5])");

    @Override
    public Object get(String entraName) {
        if (IS_SOFT_DELETED.equals(entraName)) {
            return softDeleted;
        }
        if (MANAGER.equals(entraName)) {
            return managerId();
        }
        if (APP_ROLE_ASSIGNMENTS.equals(entraName) && appRoleAssignments != null) {
            return appRoleAssignments;
        }
        if (isExtensionAttribute(entraName)) {
            JsonNode attributes = graph.get(EXTENSION_ATTRIBUTES);
            return attributes == null || !attributes.isObject() ? null : value(attributes.get(entraName));
        }
        JsonNode node = graph.get(GRAPH_PROPERTIES.getOrDefault(entraName, entraName));
        if ("telephoneNumber".equals(entraName)) {
            return node != null && node.isArray() && !node.isEmpty() ? value(node.get(0)) : null;
        }
        return value(node);
    }

    /**
     * The manager's Graph id: from {@code manager@delta} (delta rounds; a removed manager is null), or from
     * {@code $expand=manager} (a user read by id). Graph sends {@code manager@delta} only when the manager changed,
     * so without it the manager is unknown, not absent: {@link Ignored} keeps the target as it is.
     */
    private Object managerId() {
        JsonNode delta = graph.get("manager@delta");
        if (delta != null && delta.isArray()) {
            for (JsonNode entry : delta) {
                if (!entry.has("@removed")) {
                    return entry.path("id").asText(null);
                }
            }
            return null;
        }
        JsonNode expanded = graph.get(MANAGER);
        if (expanded != null && expanded.isObject()) {
            return expanded.path("id").asText(null);
        }
        return Ignored.INSTANCE;
    }

    /** Entra's extensionAttribute1 … extensionAttribute15 (case-sensitive, as every attribute name). */
    public static boolean isExtensionAttribute(String entraName) {
        return EXTENSION_ATTRIBUTE.matcher(entraName).matches();
    }

    /**
     * A JSON value as expressions see it: text, a Boolean, a List for multi-valued attributes, a Map for an object
     * (an app role assignment), or null.
     */
    public static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            List<Object> values = new ArrayList<>();
            node.forEach(v -> values.add(value(v)));
            return values;
        }
        if (node.isObject()) {
            Map<String, Object> values = new LinkedHashMap<>();
            node.properties().forEach(e -> values.put(e.getKey(), value(e.getValue())));
            return values;
        }
        return node.asText();
    }

    /** The Graph {@code $select} list for the given Entra attributes, plus what scoping always needs. */
    public static String select(Collection<String> entraNames) {
        TreeSet<String> properties = new TreeSet<>(List.of("id", "userPrincipalName", "accountEnabled"));
        for (String name : entraNames) {
            if (isExtensionAttribute(name)) {
                properties.add(EXTENSION_ATTRIBUTES);
            } else if (!IS_SOFT_DELETED.equals(name) && !APP_ROLE_ASSIGNMENTS.equals(name)) {
                // appRoleAssignments come from the service principal's appRoleAssignedTo, not from the user.
                properties.add(GRAPH_PROPERTIES.getOrDefault(name, name));
            }
        }
        return String.join(",", properties);
    }
}
