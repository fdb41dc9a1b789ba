package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.admin.AdminRoutes;
import java.net.http.HttpResponse;
import java.util.Iterator;
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
                assertThat(responses.has("401")).as(name).isTrue();
                assertThat(operation.getValue().path("security").toString()).as(name).contains("adminToken");
            });
        }
        assertThat(document.path("components").path("securitySchemes").path("adminToken").path("scheme").asText())
                .isEqualTo("bearer");
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
