package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOpType;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.utils.JsonUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * RFC 7644 §3.5.2 PATCH, as Microsoft Entra speaks it. The SCIM SDK parses the request and applies every
 * operation; this class only smooths the places where Entra and the SDK disagree:
 * <ul>
 *   <li>{@code op} in any case ({@code "Replace"}, {@code "rEPLACE"}): the SDK only knows three spellings.</li>
 *   <li>a pathless add/replace whose value has dotted keys ({@code "name.givenName"}) or extension attribute
 *       URNs as keys: the SDK would store them as literal attribute names, so each becomes its own operation.</li>
 *   <li>{@code add} to {@code emails[type eq "work"].value} when a work email already exists: §3.5.2.1 says the
 *       existing value is replaced, the SDK refuses, so it is applied as a replace.</li>
 *   <li>a remove without a path: §3.5.2.2 answers 400 noTarget, the SDK a Jackson error.</li>
 * </ul>
 * Entra's remove of {@code members} with a {@code value} list removes just those members; SDK 5 does that itself.
 */
final class PatchInterpreter {

    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private PatchInterpreter() {
    }

    /** Validates the request envelope and lets the SDK parse it. */
    static PatchRequest parse(ObjectNode body) throws ScimException {
        JsonNode schemas = body.get("schemas");
        boolean patchOp = false;
        if (schemas != null && schemas.isArray()) {
            for (JsonNode urn : schemas) {
                patchOp |= urn.isTextual() && urn.textValue().equalsIgnoreCase(PATCH_OP);
            }
        }
        if (!patchOp) {
            throw BadRequestException.invalidSyntax("A PATCH body must declare schemas [\"" + PATCH_OP + "\"]");
        }
        JsonNode operations = body.get("Operations");
        if (operations == null || !operations.isArray() || operations.isEmpty()) {
            throw BadRequestException.invalidSyntax("A PATCH body needs a non-empty Operations array");
        }
        ArrayNode normalised = ScimJson.MAPPER.createArrayNode();
        for (JsonNode operation : operations) {
            normalised.add(normaliseOperation(operation));
        }
        ObjectNode request = ScimJson.object();
        request.putArray("schemas").add(PATCH_OP);
        request.set("Operations", normalised);
        try {
            return ScimJson.MAPPER.treeToValue(request, PatchRequest.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            ScimException cause = ScimJson.scimCause(e);
            if (cause != null) {
                throw cause;
            }
            throw BadRequestException.invalidSyntax("Invalid PATCH operation: " + e.getMessage());
        }
    }

    private static ObjectNode normaliseOperation(JsonNode operation) throws BadRequestException {
        if (!operation.isObject()) {
            throw BadRequestException.invalidSyntax("Each PATCH operation must be an object");
        }
        ObjectNode op = ((ObjectNode) operation).deepCopy();
        JsonNode name = op.get("op");
        String opName = name != null && name.isTextual() ? name.textValue().toLowerCase(Locale.ROOT) : "";
        if (!opName.equals("add") && !opName.equals("replace") && !opName.equals("remove")) {
            throw BadRequestException.invalidSyntax("Unsupported PATCH op '" + (name == null ? null : name.asText())
                    + "'; expected add, replace or remove");
        }
        op.put("op", opName);
        JsonNode path = op.get("path");
        if (path != null && (path.isNull() || (path.isTextual() && path.textValue().isBlank()))) {
            op.remove("path");
            path = null;
        }
        if (opName.equals("remove")) {
            if (path == null) {
                throw BadRequestException.noTarget("A remove operation needs a path (RFC 7644 §3.5.2.2)");
            }
            JsonNode value = op.get("value");
            if (value != null && value.isObject()) {
                // Entra sometimes sends a single member object rather than a list of them.
                op.set("value", ScimJson.MAPPER.createArrayNode().add(value));
            }
        }
        return op;
    }

    /**
     * Applies a parsed request to a private copy of a resource.
     *
     * @return the same copy, changed
     */
    static ObjectNode apply(ScimResourceType type, PatchRequest request, ObjectNode resource) throws ScimException {
        JsonNode id = resource.get("id");
        JsonNode meta = resource.get("meta");
        for (PatchOperation operation : request.getOperations()) {
            for (PatchOperation step : expand(type, operation, resource)) {
                step.apply(resource);
            }
        }
        // RFC 7644 §3.5.2: readOnly attributes must not be modified.
        if (!Objects.equals(id, resource.get("id")) || !Objects.equals(meta, resource.get("meta"))) {
            throw BadRequestException.mutability("id and meta are read-only");
        }
        return resource;
    }

    private static List<PatchOperation> expand(ScimResourceType type, PatchOperation operation, ObjectNode resource)
            throws ScimException {
        Path path = operation.getPath();
        JsonNode value = operation.getJsonNode();
        if (path == null) {
            return value != null && value.isObject()
                    ? splitPathlessValue(type, operation.getOpType(), (ObjectNode) value, resource)
                    : List.of(operation);
        }
        Path plain = withoutCoreSchema(type, path);
        PatchOpType opType = operation.getOpType();
        if (opType == PatchOpType.ADD && targetsExistingFilteredValue(plain, resource)) {
            opType = PatchOpType.REPLACE;
        }
        if (plain == path && opType == operation.getOpType()) {
            return List.of(operation);
        }
        if (opType == PatchOpType.REMOVE) {
            PatchOperation remove = PatchOperation.remove(plain);
            return List.of(value == null ? remove : remove.setRemoveOpValue(value));
        }
        return List.of(create(opType, plain, value));
    }

    /**
     * Entra sends {@code {"op":"Replace","value":{"name.givenName":"Adele","active":false}}}. Plain attribute
     * names and schema extension objects stay in the value; every other key is an attribute path of its own.
     */
    private static List<PatchOperation> splitPathlessValue(ScimResourceType type, PatchOpType opType,
                                                           ObjectNode value, ObjectNode resource)
            throws ScimException {
        ObjectNode plain = ScimJson.object();
        List<PatchOperation> byPath = new ArrayList<>();
        for (String key : ScimResourceType.names(value)) {
            JsonNode v = value.get(key);
            if (isPlainKey(type, key, v, resource)) {
                plain.set(key, v);
                continue;
            }
            Path path = Path.fromString(key);
            if (v.isNull()) {
                // RFC 7643 §2.5: null is "unassigned"; replacing with it clears the attribute.
                if (opType == PatchOpType.REPLACE) {
                    byPath.add(PatchOperation.remove(path));
                }
                continue;
            }
            byPath.addAll(expand(type, create(opType, path, v), resource));
        }
        List<PatchOperation> steps = new ArrayList<>();
        if (!plain.isEmpty()) {
            steps.add(create(opType, null, plain));
        }
        steps.addAll(byPath);
        return steps;
    }

    private static boolean isPlainKey(ScimResourceType type, String key, JsonNode value, ObjectNode resource) {
        if (key.regionMatches(true, 0, "urn:", 0, 4)) {
            return value.isObject() && (type.extensionUrn(key) != null || declaresSchema(resource, key));
        }
        return key.indexOf('.') < 0 && key.indexOf('[') < 0;
    }

    private static boolean declaresSchema(ObjectNode resource, String urn) {
        for (JsonNode declared : resource.path("schemas")) {
            if (declared.isTextual() && declared.textValue().equalsIgnoreCase(urn)) {
                return true;
            }
        }
        return false;
    }

    /** {@code urn:ietf:params:scim:schemas:core:2.0:User:title} is just {@code title}. */
    private static Path withoutCoreSchema(ScimResourceType type, Path path) {
        if (!type.isCoreSchema(path.getSchemaUrn())) {
            return path;
        }
        Path plain = Path.root();
        for (Path.Element element : path) {
            plain = plain.attribute(element.getAttribute(), element.getValueFilter());
        }
        return plain;
    }

    /** An add to {@code attr[filter].sub} where some value of attr already matches the filter. */
    private static boolean targetsExistingFilteredValue(Path path, ObjectNode resource) throws ScimException {
        if (path.size() != 2 || path.getElement(0).getValueFilter() == null) {
            return false;
        }
        Path.Element first = path.getElement(0);
        Path selected = (path.getSchemaUrn() == null ? Path.root() : Path.root(path.getSchemaUrn()))
                .attribute(first.getAttribute(), first.getValueFilter());
        return JsonUtils.pathExists(selected, resource);
    }

    private static PatchOperation create(PatchOpType opType, Path path, JsonNode value) throws ScimException {
        try {
            return PatchOperation.create(opType, path, value);
        } catch (IllegalArgumentException e) {
            ScimException cause = ScimJson.scimCause(e);
            throw cause != null ? cause : BadRequestException.invalidValue(e.getMessage());
        }
    }
}
