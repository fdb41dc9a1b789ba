package io.github.provisioning.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds SCIM User resources, match filters and PATCH requests from mapped values (SCIM path → value). Paths,
 * filters and patch operations are the UnboundID SCIM SDK's, so value filters such as
 * {@code emails[type eq "work"].value} and extension URNs behave as RFC 7644 says.
 */
public final class UserResources {

    public static final String CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    private static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private static final String URN_PREFIX = "urn:";
    private static final int MAX_CACHED_PATHS = 1024;
    private static final Map<String, Path> PATHS = new java.util.concurrent.ConcurrentHashMap<>();

    private UserResources() {
    }

    /** The body of {@code POST /Users}: the core schema, every extension used, and each value at its path. */
    public static ObjectNode create(Map<String, JsonNode> values) {
        ObjectNode resource = JsonUtils.getJsonNodeFactory().objectNode();
        Set<String> schemas = new LinkedHashSet<>(List.of(CORE_USER));
        values.keySet().stream().map(UserResources::extensionSchema).filter(Objects::nonNull).forEach(schemas::add);
        ArrayNode schemaArray = resource.putArray("schemas");
        schemas.forEach(schemaArray::add);
        values.forEach((path, value) -> apply(PatchOperation.add(path(path), value), resource));
        return resource;
    }

    /** The values an existing target resource holds at the given paths (absent ones are left out). */
    public static Map<String, JsonNode> valuesAt(JsonNode resource, Collection<String> paths) {
        GenericScimResource generic = new GenericScimResource((ObjectNode) resource);
        Map<String, JsonNode> values = new java.util.LinkedHashMap<>();
        for (String path : paths) {
            try {
                JsonNode value = generic.getValue(path(path));
                if (value != null && !value.isNull() && !value.isMissingNode()) {
                    values.put(path, value);
                }
            } catch (ScimException e) {
                // A path the resource cannot hold has no value there.
            }
        }
        return values;
    }

    /**
     * The operations that turn {@code before} into {@code after} for the given paths, one per changed path. Entra:
     * an attribute that had no value is added, a changed value replaced, a value that became null removed (null is
     * never sent); a replace whose value filter matches nothing would be a 400 noTarget, so new entries are adds.
     */
    public static List<PatchOperation> diff(Map<String, JsonNode> before, Map<String, JsonNode> after,
                                            Collection<String> paths) {
        return diff(before, after, paths, Set.of());
    }

    /**
     * As {@link #diff(Map, Map, Collection)}, but the {@code additive} paths are only ever added to: a changed value
     * is an {@code add} of the whole new value (for a multi-valued attribute, RFC 7644 section 3.5.2.1 adds its
     * values to those the target holds), and one that became null is left in the target. Entra's
     * AppRoleAssignmentsComplex writes {@code roles} so: {@code {"op":"add","path":"roles","value":[...]}}.
     */
    public static List<PatchOperation> diff(Map<String, JsonNode> before, Map<String, JsonNode> after,
                                            Collection<String> paths, Set<String> additive) {
        List<PatchOperation> operations = new ArrayList<>();
        for (String path : paths) {
            JsonNode old = before.get(path);
            JsonNode now = after.get(path);
            if (Objects.equals(old, now)) {
                continue;
            }
            if (additive.contains(path)) {
                if (now != null) {
                    operations.add(PatchOperation.add(path(path), now));
                }
                continue;
            }
            if (old == null) {
                operations.add(PatchOperation.add(path(path), now));
            } else if (now == null) {
                operations.add(PatchOperation.remove(path(path)));
            } else {
                operations.add(PatchOperation.replace(path(path), now));
            }
        }
        return operations;
    }

    /** Entra's disable: a PATCH that replaces {@code active} with false. */
    public static List<PatchOperation> disable() {
        return List.of(PatchOperation.replace(path("active"), BooleanNode.FALSE));
    }

    /** A compliant PatchOp body (RFC 7644 section 3.5.2). */
    public static String patchBody(List<PatchOperation> operations) {
        return patchBody(operations, ScimDialect.COMPLIANT);
    }

    /**
     * The PatchOp body in the target's dialect: operation names in its case, booleans as Entra's legacy strings
     * when asked, and the replaces of simple paths folded into one pathless replace when asked (Entra's form:
     * the value object's keys are the paths, e.g. {@code "name.givenName"}).
     */
    public static String patchBody(List<PatchOperation> operations, ScimDialect dialect) {
        ObjectNode body = JsonUtils.getJsonNodeFactory().objectNode();
        body.putArray("schemas").add(PATCH_OP);
        ArrayNode ops = body.putArray("Operations");
        ObjectNode pathless = null;
        for (PatchOperation operation : operations) {
            String op = operation.getOpType().toString();
            String path = operation.getPath() == null ? null : operation.getPath().toString();
            JsonNode value = operation.getJsonNode() == null ? null : dialectValue(operation.getJsonNode(), dialect);
            if (dialect.pathlessReplace() && "replace".equalsIgnoreCase(op) && path != null && !path.contains("[")) {
                if (pathless == null) {
                    ObjectNode folded = ops.addObject();
                    folded.put("op", dialect.opName("replace"));
                    pathless = folded.putObject("value");
                }
                pathless.set(path, value);
                continue;
            }
            ObjectNode o = ops.addObject();
            o.put("op", dialect.opName(op));
            if (path != null) {
                o.put("path", path);
            }
            if (value != null) {
                o.set("value", value);
            }
        }
        return body.toString();
    }

    /** The resource after the operations, for targets updated with PUT (GET, apply here, PUT the whole). */
    public static ObjectNode applied(JsonNode resource, List<PatchOperation> operations) {
        ObjectNode copy = ((ObjectNode) resource).deepCopy();
        for (PatchOperation operation : operations) {
            apply(operation, copy);
        }
        copy.remove("meta");
        return copy;
    }

    private static JsonNode dialectValue(JsonNode value, ScimDialect dialect) {
        if (dialect.booleanAsString() && value.isBoolean()) {
            return TextNode.valueOf(value.booleanValue() ? "True" : "False");
        }
        return value;
    }

    /** {@code filter=userName eq "value"}, with the value escaped per RFC 7644 and URL-encoded. */
    public static String matchQuery(String attribute, String value) {
        String filter;
        try {
            filter = Filter.eq(attribute, value).toString();
        } catch (ScimException e) {
            throw new IllegalArgumentException("Cannot filter on " + attribute + ": " + e.getMessage(), e);
        }
        return "filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Whether the answer to a {@link #matchQuery} finds any account: its totalResults, or its Resources when a
     * target leaves totalResults out. SelectUniqueValue takes a candidate found so as taken.
     */
    public static boolean findsAny(JsonNode listResponse) {
        return listResponse.path("totalResults").asInt(listResponse.path("Resources").size()) > 0;
    }

    public static String json(Object value) {
        try {
            return JsonUtils.getObjectWriter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String extensionSchema(String path) {
        if (!path.startsWith(URN_PREFIX) || path.startsWith(CORE_USER)) {
            return null;
        }
        int colon = path.lastIndexOf(':');
        return colon > 0 ? path.substring(0, colon) : null;
    }

    /**
     * The parsed path, kept: it would otherwise be parsed once per value of every create, and the paths are the
     * mapping's targets, a handful (SCIM SDK paths are immutable; the cache is bounded).
     */
    private static Path path(String path) {
        Path parsed = PATHS.get(path);
        if (parsed != null) {
            return parsed;
        }
        try {
            parsed = Path.fromString(path);
        } catch (ScimException e) {
            throw new IllegalArgumentException("Not a SCIM path: " + path, e);
        }
        if (PATHS.size() < MAX_CACHED_PATHS) {
            PATHS.put(path, parsed);
        }
        return parsed;
    }

    private static void apply(PatchOperation operation, ObjectNode resource) {
        try {
            operation.apply(resource);
        } catch (ScimException e) {
            throw new IllegalArgumentException("Cannot write " + operation.getPath() + ": " + e.getMessage(), e);
        }
    }
}
