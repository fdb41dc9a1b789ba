package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.admin.AdminRoutes;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.junit.jupiter.api.Test;

/**
 * The admin API's OpenAPI document, fetched over HTTP from a running engine, names exactly the endpoints the engine
 * serves: the served ones are read from the admin server's running consumers, so neither side can drift.
 */
class AdminOpenApiTest extends EngineTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    void theOpenApiDocumentDescribesEveryServedEndpointAndNoOther() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        engine = EngineUnderTest.start(settings, dataDir);
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);

        HttpResponse<String> response = admin.get(AdminRoutes.OPENAPI);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        JsonNode document = AdminClient.json(response);
        assertThat(document.path("openapi").asText()).startsWith("3.");
        assertThat(document.path("info").path("title").asText()).contains("admin API");
        Set<String> documented = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(
                method -> {
                    if (METHODS.contains(method)) {
                        documented.add(method.toUpperCase() + " " + path.getKey());
                    }
                }));
        assertThat(documented).isEqualTo(served());
        // What the document says of each: answers JSON, and the token rule.
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fields().forEachRemaining(operation -> {
                JsonNode responses = operation.getValue().path("responses");
                String name = operation.getKey() + " " + path.getKey();
                assertThat(responses.has("200") || responses.has("202")).as(name).isTrue();
                // The success answer names its schema, which the document defines.
                JsonNode success = responses.has("200") ? responses.path("200") : responses.path("202");
                assertThat(schema(document, success)).as(name + ": schema of its success answer").isNotNull();
                assertThat(responses.has("401")).as(name).isTrue();
                assertThat(operation.getValue().path("security").toString()).as(name).contains("adminToken");
            });
        }
        assertThat(document.path("components").path("securitySchemes").path("adminToken").path("scheme").asText())
                .isEqualTo("bearer");
        // The server is the admin API's address as configured.
        assertThat(document.path("servers").path(0).path("url").asText())
                .isEqualTo("http://127.0.0.1:" + settings.get("admin.port"));
    }

    @Test
    void theSchemasNameTheFieldsOfTheRealAnswers() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        engine = EngineUnderTest.start(settings, dataDir);
        AdminClient admin = new AdminClient(settings.get("admin.port"), null);
        JsonNode document = AdminClient.json(admin.get(AdminRoutes.OPENAPI));

        // These answers have no optional field: their schema names exactly their keys.
        for (String path : List.of("/api/status", "/api/escrow", "/api/deletions", "/api/cycles", "/api/logs")) {
            JsonNode schema = schema(document, operation(document, "get", path).path("responses").path("200"));
            JsonNode answer = admin.ok(admin.get(path));
            assertThat(names(schema.path("properties"))).as(path).isEqualTo(names(answer));
            assertDescribes(document, schema, answer, path);
        }
        JsonNode preview = admin.ok(admin.post("/api/preview", """
                {"id": "1", "userPrincipalName": "adele@example.org", "accountEnabled": true}"""));
        assertDescribes(document, schema(document, operation(document, "post", "/api/preview")
                .path("responses").path("200")), preview, "/api/preview");
        JsonNode value = admin.ok(admin.post("/api/expressions/evaluate", """
                {"expression": "Redact([givenName])", "user": {"givenName": "Adele"}}"""));
        assertDescribes(document, schema(document, operation(document, "post", "/api/expressions/evaluate")
                .path("responses").path("200")), value, "/api/expressions/evaluate");
    }

    private static JsonNode operation(JsonNode document, String method, String path) {
        return document.path("paths").path(path).path(method);
    }

    /**
     * Every key of the answer, at every level its records fill, is a property of its schema (the schema may name
     * more: fields an answer leaves out when they do not apply). Free-form parts, such as a Graph user, have none.
     */
    private static void assertDescribes(JsonNode document, JsonNode schema, JsonNode answer, String where) {
        JsonNode resolved = resolve(document, schema);
        if (answer.isObject() && resolved.has("properties")) {
            assertThat(names(resolved.path("properties"))).as(where).containsAll(names(answer));
            answer.fields().forEachRemaining(field -> assertDescribes(document,
                    resolved.path("properties").path(field.getKey()), field.getValue(), where + "." + field.getKey()));
        } else if (answer.isArray() && resolved.has("items")) {
            answer.forEach(item -> assertDescribes(document, resolved.path("items"), item, where + "[]"));
        }
    }

    /** The schema of an answer's JSON body, its $ref resolved in components/schemas; null when it has none. */
    private static JsonNode schema(JsonNode document, JsonNode answer) {
        JsonNode schema = answer.path("content").path("application/json").path("schema");
        return schema.isMissingNode() ? null : resolve(document, schema);
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        if (ref.isEmpty()) {
            return schema;
        }
        JsonNode target = document.path("components").path("schemas").path(ref.replace("#/components/schemas/", ""));
        assertThat(target.isObject()).as(ref + " is defined").isTrue();
        return target;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** "METHOD /api/path" of every admin endpoint the admin server has a consumer for, the document aside. */
    private Set<String> served() {
        Set<String> served = new TreeSet<>();
        PlatformHttpComponent http = engine.context().getComponent("platform-http", PlatformHttpComponent.class);
        for (HttpEndpointModel endpoint : http.getHttpEndpoints()) {
            if (endpoint.getUri().startsWith("/api/") && !endpoint.getUri().equals(AdminRoutes.OPENAPI)) {
                for (String verb : endpoint.getVerbs().split(",")) {
                    served.add(verb.strip().toUpperCase() + " " + endpoint.getUri());
                }
            }
        }
        // The admin API as docs/admin-api.md describes it; the set is compared whole above.
        assertThat(served).contains("GET /api/status", "POST /api/job/start", "POST /api/preview",
                "GET /api/preview/users/{id}", "POST /api/provision/groups/{id}", "GET /api/escrow", "GET /api/logs");
        return served;
    }
}
