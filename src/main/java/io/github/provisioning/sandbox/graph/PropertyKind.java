package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The JSON shape of a directory property, and how a Java value given to the {@link Tenant} maps onto it. */
enum PropertyKind {
    TEXT, TEXT_LIST, BOOLEAN;

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
        };
    }

    JsonNode toJson(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
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
        throw wrongType(property, node, "text, boolean or an array of text");
    }

    private static IllegalArgumentException wrongType(String property, Object value, String expected) {
        return new IllegalArgumentException("Property '" + property + "' takes " + expected + ", not " + value);
    }
}
