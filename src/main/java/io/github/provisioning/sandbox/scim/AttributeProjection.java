package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.utils.StaticUtils;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code attributes} / {@code excludedAttributes} parameters of RFC 7644 §3.9, plus the schema's
 * "returned" rules: {@code id} and {@code schemas} are always returned, {@code password} never.
 * Attribute names are parsed by the SDK's {@link Path}.
 *
 * @param include  true for {@code attributes} (return only these), false for {@code excludedAttributes}
 * @param selected per container ("" for core, a lower-case extension URN otherwise), the lower-case attribute
 *                 names selected; an attribute maps to the sub-attributes selected, or to an empty set when it is
 *                 selected whole
 */
record AttributeProjection(ScimResourceType type, boolean include, Map<String, Map<String, Set<String>>> selected) {

    private static final String CORE = "";

    static AttributeProjection everything(ScimResourceType type) {
        return new AttributeProjection(type, false, Map.of());
    }

    /**
     * @param attributes         the {@code attributes} parameter, or {@code null}
     * @param excludedAttributes the {@code excludedAttributes} parameter, or {@code null}; ignored when
     *                           {@code attributes} is given
     */
    static AttributeProjection parse(ScimResourceType type, String attributes, String excludedAttributes)
            throws BadRequestException {
        boolean include = attributes != null && !attributes.isBlank();
        String list = include ? attributes : excludedAttributes;
        if (list == null || list.isBlank()) {
            return everything(type);
        }
        Map<String, Map<String, Set<String>>> selected = new HashMap<>();
        for (String name : StaticUtils.splitCommaSeparatedString(list)) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String extension = type.extensionUrn(trimmed);
            if (extension != null) {
                selected.computeIfAbsent(StaticUtils.toLowerCase(extension), k -> new HashMap<>());
                continue;
            }
            Path path = Path.fromString(trimmed);
            if (path.size() == 0) {
                continue;
            }
            String container = path.getSchemaUrn() == null || type.isCoreSchema(path.getSchemaUrn())
                    ? CORE : StaticUtils.toLowerCase(path.getSchemaUrn());
            Map<String, Set<String>> attributesOf = selected.computeIfAbsent(container, k -> new HashMap<>());
            String attribute = StaticUtils.toLowerCase(path.getElement(0).getAttribute());
            Set<String> subs = attributesOf.computeIfAbsent(attribute, k -> new HashSet<>());
            if (path.size() > 1) {
                subs.add(StaticUtils.toLowerCase(path.getElement(1).getAttribute()));
            } else {
                subs.add("*");
            }
        }
        return new AttributeProjection(type, include, selected);
    }

    /** A new object to send; the stored resource is not touched. */
    ObjectNode render(ObjectNode stored) {
        ObjectNode out = ScimJson.object();
        for (String name : ScimResourceType.names(stored)) {
            JsonNode value = stored.get(name);
            String extension = type.extensionUrn(name);
            if (extension != null && value.isObject()) {
                ObjectNode projected = project(StaticUtils.toLowerCase(extension), extension, (ObjectNode) value);
                if (!projected.isEmpty()) {
                    out.set(name, projected);
                }
            } else {
                copy(CORE, null, name, value, out);
            }
        }
        return out;
    }

    private ObjectNode project(String container, String schemaUrn, ObjectNode object) {
        Map<String, Set<String>> attributes = selected.get(container);
        boolean whole = attributes != null && attributes.isEmpty();
        ObjectNode out = ScimJson.object();
        if (whole) {
            if (include) {
                return object.deepCopy();
            }
            return out;
        }
        for (String name : ScimResourceType.names(object)) {
            copy(container, schemaUrn, name, object.get(name), out);
        }
        return out;
    }

    private void copy(String container, String schemaUrn, String name, JsonNode value, ObjectNode out) {
        AttributeDefinition def = type.definition(schemaUrn, name, null);
        if (def != null && def.getReturned() == AttributeDefinition.Returned.NEVER) {
            return;
        }
        boolean always = def != null && def.getReturned() == AttributeDefinition.Returned.ALWAYS
                && container.equals(CORE);
        Map<String, Set<String>> attributes = selected.getOrDefault(container, Map.of());
        Set<String> subs = attributes.get(StaticUtils.toLowerCase(name));
        if (always || subs == null) {
            if (always || !include) {
                out.set(name, value.deepCopy());
            }
            return;
        }
        if (subs.contains("*")) {
            if (include) {
                out.set(name, value.deepCopy());
            }
            return;
        }
        JsonNode kept = keepSubAttributes(value, subs);
        if (kept != null) {
            out.set(name, kept);
        }
    }

    /** {@code name.givenName} on a complex attribute, {@code emails.value} on every value of a multi-valued one. */
    private JsonNode keepSubAttributes(JsonNode value, Set<String> subs) {
        if (value.isObject()) {
            ObjectNode kept = ScimJson.object();
            for (String sub : ScimResourceType.names(value)) {
                if (subs.contains(StaticUtils.toLowerCase(sub)) == include) {
                    kept.set(sub, value.get(sub).deepCopy());
                }
            }
            return kept.isEmpty() ? null : kept;
        }
        if (value.isArray()) {
            ArrayNode kept = ScimJson.MAPPER.createArrayNode();
            for (JsonNode element : value) {
                JsonNode k = keepSubAttributes(element, subs);
                if (k != null) {
                    kept.add(k);
                }
            }
            return kept.isEmpty() ? null : kept;
        }
        return include ? null : value.deepCopy();
    }

    /** True when the stored JSON can be sent as it is: nothing selected and nothing that is never returned. */
    boolean passesThrough(ObjectNode stored) {
        return !include && selected.isEmpty() && !stored.has("password");
    }
}
