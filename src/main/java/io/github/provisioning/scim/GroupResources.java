package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SCIM Group requests as Entra sends them: a create without members (members follow as PATCH adds; some targets
 * refuse members on POST), a lookup that leaves the members out, and membership changes as PATCH add/remove of
 * just the members that changed, never a replace of the whole list.
 */
public final class GroupResources {

    public static final String CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private GroupResources() {
    }

    /** The body of {@code POST /Groups}: the core Group schema and each mapped value; no members. */
    public static ObjectNode create(Map<String, JsonNode> values) {
        ObjectNode resource = JsonUtils.getJsonNodeFactory().objectNode();
        resource.putArray("schemas").add(CORE_GROUP);
        values.forEach((path, value) -> {
            try {
                PatchOperation.add(Path.fromString(path), value).apply(resource);
            } catch (ScimException e) {
                throw new IllegalArgumentException("Cannot write " + path + ": " + e.getMessage(), e);
            }
        });
        return resource;
    }

    /** Entra's lookup: {@code excludedAttributes=members&filter=displayName eq "x"}. */
    public static String matchQuery(String attribute, String value) {
        return "excludedAttributes=members&" + UserResources.matchQuery(attribute, value);
    }

    /** {@code {"op":"add","path":"members","value":[{"value":"id"},...]}} in the target's op case. */
    public static String addMembers(List<String> targetIds, ScimDialect dialect) {
        ObjectNode body = patch();
        ObjectNode op = body.withArray("Operations").addObject();
        op.put("op", dialect.opName("add"));
        op.put("path", "members");
        op.set("value", memberValues(targetIds));
        return body.toString();
    }

    /**
     * Removes members as the target wants it ({@code member-remove}): compliant, one operation per member with
     * {@code path: members[value eq "id"]} and no value; legacy, one operation with {@code path: members} and the
     * members as a value list.
     */
    public static String removeMembers(List<String> targetIds, ScimDialect dialect) {
        ObjectNode body = patch();
        ArrayNode ops = body.withArray("Operations");
        if (dialect.memberRemove() == ScimDialect.MemberRemove.VALUE_LIST) {
            ObjectNode op = ops.addObject();
            op.put("op", dialect.opName("remove"));
            op.put("path", "members");
            op.set("value", memberValues(targetIds));
        } else {
            for (String id : targetIds) {
                ObjectNode op = ops.addObject();
                op.put("op", dialect.opName("remove"));
                op.put("path", memberPath(id));
            }
        }
        return body.toString();
    }

    /** The same changes as operations to apply to a fetched group, for targets updated with PUT. */
    public static List<PatchOperation> memberOperations(List<String> added, List<String> removed) {
        List<PatchOperation> operations = new ArrayList<>();
        try {
            if (!added.isEmpty()) {
                operations.add(PatchOperation.add(Path.fromString("members"), memberValues(added)));
            }
            for (String id : removed) {
                operations.add(PatchOperation.remove(Path.fromString(memberPath(id))));
            }
        } catch (ScimException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return operations;
    }

    /** {@code members[value eq "id"]}, the id escaped as a SCIM filter string. */
    static String memberPath(String targetId) {
        try {
            return "members[" + Filter.eq("value", targetId) + "]";
        } catch (ScimException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ArrayNode memberValues(List<String> targetIds) {
        ArrayNode values = JsonUtils.getJsonNodeFactory().arrayNode();
        targetIds.forEach(id -> values.addObject().put("value", id));
        return values;
    }

    private static ObjectNode patch() {
        ObjectNode body = JsonUtils.getJsonNodeFactory().objectNode();
        body.putArray("schemas").add(PATCH_OP);
        body.putArray("Operations");
        return body;
    }
}
