package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.MethodNotAllowedException;
import com.unboundid.scim2.common.exceptions.NotImplementedException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.messages.PatchRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.provisioning.sandbox.scim.ScimExchange.Request;
import io.github.provisioning.sandbox.scim.ScimExchange.Response;

/** The RFC 7644 protocol over the two resource stores: routing, validation, rendering. */
final class ScimService {

    static final int DEFAULT_COUNT = 100;

    private final boolean groupsEnabled;
    private final boolean patchSupported;
    private final boolean filterSupported;
    private final ResourceStore users;
    private final ResourceStore groups;
    private final DiscoveryDocuments discovery;

    /** A target that may lack PATCH or filtering: its discovery document says so, and it refuses them (501). */
    ScimService(String baseUrl, boolean groupsEnabled, boolean patchSupported, boolean filterSupported) {
        this.groupsEnabled = groupsEnabled;
        this.patchSupported = patchSupported;
        this.filterSupported = filterSupported;
        this.users = new ResourceStore(ScimResourceType.USER, baseUrl);
        this.groups = new ResourceStore(ScimResourceType.GROUP, baseUrl);
        this.discovery = new DiscoveryDocuments(baseUrl, groupsEnabled
                ? List.of(ScimResourceType.USER, ScimResourceType.GROUP) : List.of(ScimResourceType.USER),
                patchSupported, filterSupported);
    }

    ResourceStore users() {
        return users;
    }

    ResourceStore groups() {
        return groups;
    }

    Response handle(Request request) {
        try {
            return route(request);
        } catch (ScimException e) {
            return Response.error(e);
        }
    }

    private Response route(Request request) throws ScimException {
        List<String> segments = segments(request.path());
        if (segments.isEmpty()) {
            throw new ResourceNotFoundException("No SCIM endpoint at " + request.path());
        }
        String endpoint = segments.get(0);
        switch (endpoint) {
            case "Users":
                return resources(users, segments, request);
            case "Groups":
                if (!groupsEnabled) {
                    throw new ResourceNotFoundException("Groups are not provisioned to this target");
                }
                return resources(groups, segments, request);
            case "ServiceProviderConfig":
                requireGet(request, segments, 1);
                return Response.json(200, discovery.serviceProviderConfig());
            case "ResourceTypes":
                requireGet(request, segments, 2);
                return segments.size() == 1 ? listOf(discovery.resourceTypes())
                        : found(discovery.resourceType(segments.get(1)), "ResourceType " + segments.get(1));
            case "Schemas":
                requireGet(request, segments, 2);
                return segments.size() == 1 ? listOf(discovery.schemas())
                        : found(discovery.schema(segments.get(1)), "Schema " + segments.get(1));
            case "Bulk":
            case "Me":
                throw new NotImplementedException("/" + endpoint + " is not supported by this service provider");
            default:
                throw new ResourceNotFoundException("No SCIM endpoint at " + request.path());
        }
    }

    private Response resources(ResourceStore store, List<String> segments, Request request) throws ScimException {
        String method = request.method();
        if (segments.size() == 1) {
            switch (method) {
                case "GET":
                    return list(store, Query.of(store.type(), request.parameter("filter"),
                            request.parameter("startIndex"), request.parameter("count"),
                            request.parameter("attributes"), request.parameter("excludedAttributes")));
                case "POST":
                    return create(store, request);
                default:
                    throw new MethodNotAllowedException(method + " is not allowed on " + request.path());
            }
        }
        if (segments.size() != 2) {
            throw new ResourceNotFoundException("No SCIM endpoint at " + request.path());
        }
        String id = segments.get(1);
        if (id.equals(".search") && method.equals("POST")) {
            return list(store, Query.of(store.type(), ScimJson.requestObject(request.body())));
        }
        switch (method) {
            case "GET":
                return read(store, id, request);
            case "PUT":
                return replace(store, id, request);
            case "PATCH":
                if (!patchSupported) {
                    throw new NotImplementedException("PATCH is not supported by this service provider");
                }
                return patch(store, id, request);
            case "DELETE":
                delete(store, id, request);
                return Response.empty(204);
            default:
                throw new MethodNotAllowedException(method + " is not allowed on " + request.path());
        }
    }

    private Response list(ResourceStore store, Query query) throws ScimException {
        if (!filterSupported && query.filter() != null) {
            throw new NotImplementedException("Filtering is not supported by this service provider");
        }
        ResourceStore.Page page;
        try {
            page = store.search(query.filter(), query.startIndex(), query.count());
        } catch (ScimException e) {
            throw BadRequestException.invalidFilter("The filter cannot be evaluated: " + e.getMessage());
        }
        List<JsonNode> rendered = new ArrayList<>(page.resources().size());
        for (StoredResource r : page.resources()) {
            rendered.add(render(r, query.projection()));
        }
        return Response.json(200, new ListResponse<>(page.totalResults(), rendered, query.startIndex(),
                rendered.size()));
    }

    /** Top-level user attributes this target silently drops, as some real targets do (Keycloak: phoneNumbers). */
    private volatile Set<String> droppedUserAttributes = Set.of();

    void dropUserAttributes(Set<String> names) {
        droppedUserAttributes = Set.copyOf(names);
    }

    private ObjectNode dropped(ResourceStore store, ObjectNode resource) {
        if (store.type() == ScimResourceType.USER) {
            droppedUserAttributes.forEach(resource::remove);
        }
        return resource;
    }

    private Response create(ResourceStore store, Request request) throws ScimException {
        ObjectNode body = dropped(store, ScimJson.requestObject(request.body()));
        if (store.type() == ScimResourceType.GROUP) {
            store.type().normalise(body);
            checkMembers(body, Set.of());
        }
        StoredResource created = store.create(body, null);
        return single(201, created, projection(store, request));
    }

    private Response read(ResourceStore store, String id, Request request) throws ScimException {
        StoredResource found = store.require(id);
        String ifNoneMatch = request.header("If-None-Match");
        if (ifNoneMatch != null && matchesAny(ifNoneMatch, found)) {
            return Response.empty(304).withHeader("ETag", found.etag());
        }
        return single(200, found, projection(store, request));
    }

    /** RFC 7644 §3.5.1: the body replaces the resource; id and meta.created are kept, read-only input ignored. */
    private Response replace(ResourceStore store, String id, Request request) throws ScimException {
        ObjectNode body = ScimJson.requestObject(request.body());
        StoredResource updated = store.update(id, request.header("If-Match"), current -> {
            ObjectNode replacement = dropped(store, body.deepCopy());
            if (store.type() == ScimResourceType.GROUP) {
                store.type().normalise(replacement);
                checkMembers(replacement, memberIds(current));
            }
            return replacement;
        });
        return single(200, updated, projection(store, request));
    }

    /**
     * RFC 7644 §3.5.2 allows 200 with the resource or 204. We answer 200 with the resource: a client (and a test)
     * can see what the server made of its operations, and Entra accepts both.
     */
    private Response patch(ResourceStore store, String id, Request request) throws ScimException {
        PatchRequest patch = PatchInterpreter.parse(ScimJson.requestObject(request.body()));
        StoredResource updated = store.update(id, request.header("If-Match"), current -> {
            Set<String> before = memberIds(current);
            ObjectNode changed = dropped(store, PatchInterpreter.apply(store.type(), patch, current));
            if (store.type() == ScimResourceType.GROUP) {
                store.type().normalise(changed);
                checkMembers(changed, before);
            }
            return changed;
        });
        return single(200, updated, projection(store, request));
    }

    /** Deleting a user or group also takes it out of every group it was a member of, as a directory would. */
    private void delete(ResourceStore store, String id, Request request) throws ScimException {
        store.delete(id, request.header("If-Match"));
        for (String groupId : groups.listingMember(id)) {
            try {
                groups.update(groupId, null, copy -> withoutMember(copy, id));
            } catch (ResourceNotFoundException gone) {
                // deleted meanwhile: nothing left to clean up
            }
        }
    }

    private static ObjectNode withoutMember(ObjectNode group, String memberId) {
        JsonNode members = group.get("members");
        if (members != null && members.isArray()) {
            ArrayNode array = (ArrayNode) members;
            for (int i = array.size() - 1; i >= 0; i--) {
                if (memberId.equals(array.get(i).path("value").asText(null))) {
                    array.remove(i);
                }
            }
        }
        return group;
    }

    /**
     * Every member must reference an existing User or Group. RFC 7644 leaves this to the service provider; we
     * refuse a dangling reference with 400 invalidValue (§3.12: "the value specified was not compatible with the
     * operation or attribute") so a provisioning engine that sends a source-side id is caught, not stored.
     */
    private void checkMembers(ObjectNode group, Set<String> alreadyMembers) throws BadRequestException {
        JsonNode members = group.get("members");
        if (members == null) {
            return;
        }
        if (!members.isArray()) {
            throw BadRequestException.invalidValue("members must be an array");
        }
        for (JsonNode member : members) {
            JsonNode value = member.get("value");
            if (!member.isObject() || value == null || !value.isTextual() || value.textValue().isBlank()) {
                throw BadRequestException.invalidValue("Each member needs a \"value\" with the member's id");
            }
            String id = value.textValue();
            if (!alreadyMembers.contains(id) && users.get(id) == null && groups.get(id) == null) {
                throw BadRequestException.invalidValue("Member " + id + " is not an existing User or Group");
            }
        }
    }

    private static Set<String> memberIds(ObjectNode group) {
        Set<String> ids = new HashSet<>();
        for (JsonNode member : group.path("members")) {
            JsonNode value = member.get("value");
            if (value != null && value.isTextual()) {
                ids.add(value.textValue());
            }
        }
        return ids;
    }

    private static AttributeProjection projection(ResourceStore store, Request request) throws BadRequestException {
        return AttributeProjection.parse(store.type(), request.parameter("attributes"),
                request.parameter("excludedAttributes"));
    }

    private static Response single(int status, StoredResource resource, AttributeProjection projection) {
        return Response.json(status, render(resource, projection))
                .withHeader("ETag", resource.etag())
                .withHeader("Location", resource.json().path("meta").path("location").asText());
    }

    private static JsonNode render(StoredResource resource, AttributeProjection projection) {
        // Stored JSON is never mutated after publication, so it can be serialised as it is.
        return projection.passesThrough(resource.json()) ? resource.json() : projection.render(resource.json());
    }

    private static boolean matchesAny(String etags, StoredResource resource) {
        if (etags.trim().equals("*")) {
            return true;
        }
        for (String tag : etags.split(",")) {
            if (ResourceStore.weak(tag).equals(ResourceStore.weak(resource.etag()))) {
                return true;
            }
        }
        return false;
    }

    private static Response listOf(List<ObjectNode> documents) {
        return Response.json(200, new ListResponse<>(documents.size(), documents, 1, documents.size()));
    }

    private static Response found(ObjectNode document, String what) throws ResourceNotFoundException {
        if (document == null) {
            throw new ResourceNotFoundException(what + " not found");
        }
        return Response.json(200, document);
    }

    private static void requireGet(Request request, List<String> segments, int maxSegments) throws ScimException {
        if (segments.size() > maxSegments) {
            throw new ResourceNotFoundException("No SCIM endpoint at " + request.path());
        }
        if (!request.method().equals("GET")) {
            throw new MethodNotAllowedException(request.method() + " is not allowed on " + request.path());
        }
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return segments;
    }

    /**
     * A list request (RFC 7644 §3.4.2): GET parameters or a POST /.search body.
     *
     * @param filter     the parsed filter, or {@code null}
     * @param startIndex 1-based; values below 1 are read as 1 (§3.4.2.4)
     * @param count      0..{@link DiscoveryDocuments#MAX_RESULTS}; negative is read as 0 (§3.4.2.4)
     */
    record Query(Filter filter, int startIndex, int count, AttributeProjection projection) {

        static Query of(ScimResourceType type, String filter, String startIndex, String count, String attributes,
                        String excludedAttributes) throws BadRequestException {
            return new Query(parseFilter(filter), Math.max(1, integer("startIndex", startIndex, 1)),
                    Math.min(DiscoveryDocuments.MAX_RESULTS, Math.max(0, integer("count", count, DEFAULT_COUNT))),
                    AttributeProjection.parse(type, attributes, excludedAttributes));
        }

        static Query of(ScimResourceType type, ObjectNode searchRequest) throws BadRequestException {
            return of(type, text(searchRequest, "filter"), text(searchRequest, "startIndex"),
                    text(searchRequest, "count"), text(searchRequest, "attributes"),
                    text(searchRequest, "excludedAttributes"));
        }

        private static String text(ObjectNode node, String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (value.isArray()) {
                List<String> parts = new ArrayList<>();
                value.forEach(v -> parts.add(v.asText()));
                return String.join(",", parts);
            }
            return value.asText();
        }

        private static Filter parseFilter(String filter) throws BadRequestException {
            if (filter == null || filter.isBlank()) {
                return null;
            }
            try {
                return Filter.fromString(filter);
            } catch (BadRequestException e) {
                throw BadRequestException.invalidFilter(e.getMessage());
            }
        }

        private static int integer(String name, String value, int fallback) throws BadRequestException {
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw BadRequestException.invalidValue(name + " must be an integer but was '" + value + "'");
            }
        }
    }
}
