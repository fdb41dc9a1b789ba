package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.BulkConfig;
import com.unboundid.scim2.common.types.ChangePasswordConfig;
import com.unboundid.scim2.common.types.ETagConfig;
import com.unboundid.scim2.common.types.FilterConfig;
import com.unboundid.scim2.common.types.PatchConfig;
import com.unboundid.scim2.common.types.ResourceTypeResource;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.SortConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 7644 §4 discovery: {@code /ServiceProviderConfig}, {@code /ResourceTypes} and {@code /Schemas}, built from
 * the SDK's own resource classes so the rendering follows RFC 7643 §5-§7.
 */
final class DiscoveryDocuments {

    /** Advertised as filter.maxResults; list responses never return more. */
    static final int MAX_RESULTS = 200;

    private final ObjectNode serviceProviderConfig;
    private final Map<String, ObjectNode> resourceTypes = new LinkedHashMap<>();
    private final Map<String, ObjectNode> schemas = new LinkedHashMap<>();

    DiscoveryDocuments(String baseUrl, List<ScimResourceType> served, boolean patch, boolean filter) {
        ServiceProviderConfigResource config = new ServiceProviderConfigResource(
                "https://datatracker.ietf.org/doc/html/rfc7644",
                new PatchConfig(patch),
                new BulkConfig(false, 0, 0),
                new FilterConfig(filter, MAX_RESULTS),
                new ChangePasswordConfig(false),
                new SortConfig(false),
                new ETagConfig(true),
                List.of(AuthenticationScheme.createOAuth2BearerToken(true)));
        serviceProviderConfig = withMeta(ScimJson.MAPPER.valueToTree(config), "ServiceProviderConfig",
                baseUrl + "/ServiceProviderConfig");

        for (ScimResourceType type : served) {
            List<ResourceTypeResource.SchemaExtension> extensions = new ArrayList<>();
            for (SchemaResource extension : type.extensions()) {
                extensions.add(new ResourceTypeResource.SchemaExtension(URI.create(extension.getId()), false));
            }
            ResourceTypeResource resourceType = new ResourceTypeResource(type.resourceName(), type.resourceName(),
                    type.description(), URI.create(type.endpoint()), URI.create(type.schemaUrn()), extensions);
            resourceTypes.put(type.resourceName(), withMeta(ScimJson.MAPPER.valueToTree(resourceType),
                    "ResourceType", baseUrl + "/ResourceTypes/" + type.resourceName()));
            addSchema(baseUrl, type.schema());
            type.extensions().forEach(extension -> addSchema(baseUrl, extension));
        }
    }

    private void addSchema(String baseUrl, SchemaResource schema) {
        schemas.put(schema.getId(), withMeta(ScimJson.MAPPER.valueToTree(schema), "Schema",
                baseUrl + "/Schemas/" + schema.getId()));
    }

    private static ObjectNode withMeta(ObjectNode document, String resourceType, String location) {
        ObjectNode meta = document.putObject("meta");
        meta.put("resourceType", resourceType);
        meta.put("location", location);
        return document;
    }

    ObjectNode serviceProviderConfig() {
        return serviceProviderConfig;
    }

    List<ObjectNode> resourceTypes() {
        return List.copyOf(resourceTypes.values());
    }

    /** By name, e.g. {@code User}; {@code null} when unknown. */
    ObjectNode resourceType(String name) {
        return resourceTypes.get(name);
    }

    List<ObjectNode> schemas() {
        return List.copyOf(schemas.values());
    }

    /** By URN (case-insensitive); {@code null} when unknown. */
    ObjectNode schema(String urn) {
        for (Map.Entry<String, ObjectNode> e : schemas.entrySet()) {
            if (e.getKey().equalsIgnoreCase(urn)) {
                return e.getValue();
            }
        }
        return null;
    }
}
