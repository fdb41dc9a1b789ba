package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The JSON shape of a directory property, and how a Java value given to the {@link Tenant} maps onto it. */
enum PropertyKind {
    TEXT, TEXT_LIST, BOOLEAN,
    /**
     * {@code onPremisesExtensionAttributes}: an object of {@code extensionAttribute1}..{@code 15}, each text or
     * null. A change names only the attributes it sets; the others keep their values (as a Graph PATCH does).
     */
    EXTENSION_ATTRIBUTES;

    static final List<String> EXTENSION_ATTRIBUTE_NAMES = IntStream.rangeClosed(1, 15)
            .mapToObj(i -> "extensionAttribute" + i).toList();

    /**
     * Checks and copies a value handed to the tenant. Graph never returns null for a collection, so a null
     * list becomes an empty one.
     */
    Object normalize(String property, Object raw) {
        if (raw instanceof JsonNode node) {
            raw = node.isNull() || node.isMissingNode() ? null : fromJson(property, node);
        }
        return switch (this) {
            case TEXT -> {
                if (raw == null || raw instanceof String) {
                    yield raw;
                }
                throw wrongType(property, raw, "a String");
            }
            case BOOLEAN -> {
                if (raw == null || raw instanceof Boolean) {
                    yield raw;
                }
                throw wrongType(property, raw, "a Boolean");
            }
            case TEXT_LIST -> {
                if (raw == null) {
                    yield List.of();
                }
                if (raw instanceof String[] array) {
                    raw = List.of(array);
                }
                if (raw instanceof Collection<?> items) {
                    List<String> texts = new ArrayList<>(items.size());
                    for (Object item : items) {
                        if (!(item instanceof String text)) {
                            throw wrongType(property, item, "a list of Strings");
                        }
                        texts.add(text);
                    }
                    yield List.copyOf(texts);
                }
                throw wrongType(property, raw, "a list of Strings");
            }
            case EXTENSION_ATTRIBUTES -> {
                if (raw == null) {
                    // Clears every extension attribute.
                    Map<String, String> cleared = new LinkedHashMap<>();
                    EXTENSION_ATTRIBUTE_NAMES.forEach(name -> cleared.put(name, null));
                    yield Collections.unmodifiableMap(cleared);
                }
                if (!(raw instanceof Map<?, ?> map)) {
                    throw wrongType(property, raw, "a map of extensionAttribute1..15 to Strings");
                }
                Map<String, String> changes = new LinkedHashMap<>();
                map.forEach((key, value) -> {
                    String name = EXTENSION_ATTRIBUTE_NAMES.stream().filter(n -> n.equalsIgnoreCase(String.valueOf(key)))
                            .findFirst().orElseThrow(() -> new IllegalArgumentException("Property '" + property
                                    + "' has no attribute '" + key + "' (extensionAttribute1..15)"));
                    if (value != null && !(value instanceof String)) {
                        throw wrongType(property + "." + name, value, "a String");
                    }
                    changes.put(name, (String) value);
                });
                yield Collections.unmodifiableMap(changes);
            }
        };
    }

    /** The value after a change: the change itself, or for extension attributes the current ones overlaid. */
    Object merge(Object current, Object change) {
        if (this != EXTENSION_ATTRIBUTES) {
            return change;
        }
        Map<String, String> merged = new LinkedHashMap<>();
        EXTENSION_ATTRIBUTE_NAMES.forEach(name -> merged.put(name,
                current == null ? null : ((Map<?, ?>) current).get(name) == null ? null
                        : ((Map<?, ?>) current).get(name).toString()));
        ((Map<?, ?>) change).forEach((name, value) -> merged.put((String) name, (String) value));
        return Collections.unmodifiableMap(merged);
    }

    JsonNode toJson(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null && this == EXTENSION_ATTRIBUTES) {
            value = Map.of();
        }
        if (value == null) {
            return this == TEXT_LIST ? nodes.arrayNode() : NullNode.getInstance();
        }
        return switch (this) {
            case TEXT -> nodes.textNode((String) value);
            case BOOLEAN -> nodes.booleanNode((Boolean) value);
            case TEXT_LIST -> {
                ArrayNode array = nodes.arrayNode();
                for (Object item : (List<?>) value) {
                    array.add((String) item);
                }
                yield array;
            }
            case EXTENSION_ATTRIBUTES -> {
                // Graph always returns all fifteen, null when unset.
                ObjectNode object = nodes.objectNode();
                for (String name : EXTENSION_ATTRIBUTE_NAMES) {
                    Object text = ((Map<?, ?>) value).get(name);
                    object.put(name, text == null ? null : text.toString());
                }
                yield object;
            }
        };
    }

    private Object fromJson(String property, JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(item -> items.add(item.isTextual() ? item.textValue() : item));
            return items;
        }
        if (node.isObject()) {
            Map<String, Object> entries = new LinkedHashMap<>();
            node.properties().forEach(e -> entries.put(e.getKey(),
                    e.getValue().isNull() ? null : e.getValue().isTextual() ? e.getValue().textValue() : e.getValue()));
            return entries;
        }
        throw wrongType(property, node, "text, boolean, an array of text or an object");
    }

    private static IllegalArgumentException wrongType(String property, Object value, String expected) {
        return new IllegalArgumentException("Property '" + property + "' takes " + expected + ", not " + value);
    }
}
