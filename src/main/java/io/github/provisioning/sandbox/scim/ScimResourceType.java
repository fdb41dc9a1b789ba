package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.types.EnterpriseUserExtension;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.SchemaUtils;
import com.unboundid.scim2.common.utils.StaticUtils;

import java.beans.IntrospectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two resource types the sandbox serves. Attribute characteristics (caseExact, type, returned) come from the
 * SCIM SDK's own RFC 7643 schema classes rather than a hand-written copy.
 */
enum ScimResourceType {

    USER("User", "User Account", "/Users", "userName", UserResource.class, EnterpriseUserExtension.class),
    GROUP("Group", "Group", "/Groups", "displayName", GroupResource.class);

    private final String resourceName;
    private final String description;
    private final String endpoint;
    private final String uniqueAttribute;
    private final SchemaResource schema;
    private final List<SchemaResource> extensions;
    /** "attr", "attr.sub", "urn:ext:attr" and "urn:ext:attr.sub", all lower case. */
    private final Map<String, AttributeDefinition> definitions = new HashMap<>();

    ScimResourceType(String resourceName, String description, String endpoint, String uniqueAttribute,
                     Class<?> schemaClass, Class<?>... extensionClasses) {
        this.resourceName = resourceName;
        this.description = description;
        this.endpoint = endpoint;
        this.uniqueAttribute = uniqueAttribute;
        this.schema = schemaOf(schemaClass);
        List<SchemaResource> ext = new ArrayList<>();
        for (Class<?> c : extensionClasses) {
            ext.add(schemaOf(c));
        }
        this.extensions = List.copyOf(ext);
        register("", SchemaUtils.COMMON_ATTRIBUTE_DEFINITIONS);
        register("", schema.getAttributes());
        for (SchemaResource e : extensions) {
            register(StaticUtils.toLowerCase(e.getId()) + ":", e.getAttributes());
        }
    }

    private static SchemaResource schemaOf(Class<?> schemaClass) {
        try {
            return SchemaUtils.getSchema(schemaClass);
        } catch (IntrospectionException e) {
            throw new IllegalStateException("SCIM SDK schema for " + schemaClass.getSimpleName(), e);
        }
    }

    private void register(String prefix, Iterable<AttributeDefinition> attributes) {
        for (AttributeDefinition a : attributes) {
            String key = prefix + StaticUtils.toLowerCase(a.getName());
            definitions.put(key, a);
            if (a.getSubAttributes() != null) {
                for (AttributeDefinition sub : a.getSubAttributes()) {
                    definitions.put(key + "." + StaticUtils.toLowerCase(sub.getName()), sub);
                }
            }
        }
    }

    String resourceName() {
        return resourceName;
    }

    String description() {
        return description;
    }

    String endpoint() {
        return endpoint;
    }

    String schemaUrn() {
        return schema.getId();
    }

    SchemaResource schema() {
        return schema;
    }

    List<SchemaResource> extensions() {
        return extensions;
    }

    /** {@code userName} for users, {@code displayName} for groups: required and unique case-insensitively. */
    String uniqueAttribute() {
        return uniqueAttribute;
    }

    boolean isCoreSchema(String urn) {
        return urn != null && urn.equalsIgnoreCase(schemaUrn());
    }

    /** The extension schema URN as this type spells it, or {@code null} when the URN is not one of ours. */
    String extensionUrn(String urn) {
        for (SchemaResource e : extensions) {
            if (e.getId().equalsIgnoreCase(urn)) {
                return e.getId();
            }
        }
        return null;
    }

    /**
     * The definition of an attribute, or {@code null} when the schema does not know it.
     *
     * @param schemaUrn    the schema the attribute lives in; {@code null} or the core URN for core attributes
     * @param attribute    the attribute name
     * @param subAttribute the sub-attribute name, or {@code null}
     */
    AttributeDefinition definition(String schemaUrn, String attribute, String subAttribute) {
        if (attribute == null) {
            return null;
        }
        String prefix = schemaUrn == null || isCoreSchema(schemaUrn) ? "" : StaticUtils.toLowerCase(schemaUrn) + ":";
        String key = prefix + StaticUtils.toLowerCase(attribute)
                + (subAttribute == null ? "" : "." + StaticUtils.toLowerCase(subAttribute));
        return definitions.get(key);
    }

    /**
     * Brings a resource into the form we store. RFC 7643 §2.5: null and an empty array mean "unassigned", so they
     * are dropped rather than stored. Entra's legacy "True"/"False" strings for boolean attributes become JSON
     * booleans.
     */
    void normalise(ObjectNode resource) {
        dropUnassigned(resource);
        for (String name : names(resource)) {
            String extension = extensionUrn(name);
            if (extension != null && resource.get(name).isObject()) {
                coerceBooleans(extension, (ObjectNode) resource.get(name));
            }
        }
        coerceBooleans(null, resource);
    }

    private void coerceBooleans(String schemaUrn, ObjectNode container) {
        for (String name : names(container)) {
            AttributeDefinition def = definition(schemaUrn, name, null);
            JsonNode value = container.get(name);
            if (def == null) {
                continue;
            }
            if (def.getType() == AttributeDefinition.Type.BOOLEAN) {
                container.set(name, asBoolean(value));
            } else if (def.getType() == AttributeDefinition.Type.COMPLEX) {
                for (JsonNode element : value.isArray() ? value : List.of(value)) {
                    if (element.isObject()) {
                        coerceSubBooleans(schemaUrn, name, (ObjectNode) element);
                    }
                }
            }
        }
    }

    private void coerceSubBooleans(String schemaUrn, String attribute, ObjectNode element) {
        for (String sub : names(element)) {
            AttributeDefinition def = definition(schemaUrn, attribute, sub);
            if (def != null && def.getType() == AttributeDefinition.Type.BOOLEAN) {
                element.set(sub, asBoolean(element.get(sub)));
            }
        }
    }

    private static JsonNode asBoolean(JsonNode value) {
        if (value.isTextual()) {
            String text = value.textValue().trim();
            if (text.equalsIgnoreCase("true")) {
                return BooleanNode.TRUE;
            }
            if (text.equalsIgnoreCase("false")) {
                return BooleanNode.FALSE;
            }
        }
        return value;
    }

    /** Removes nulls, empty arrays and objects left empty; answers whether the node itself is now unassigned. */
    private static boolean dropUnassigned(JsonNode node) {
        if (node.isNull()) {
            return true;
        }
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (String name : names(object)) {
                if (dropUnassigned(object.get(name))) {
                    object.remove(name);
                }
            }
            return object.isEmpty();
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = array.size() - 1; i >= 0; i--) {
                if (dropUnassigned(array.get(i))) {
                    array.remove(i);
                }
            }
            return array.isEmpty();
        }
        return false;
    }

    /** A snapshot of field names, so callers may change the object while walking it. */
    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>(object.size());
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
