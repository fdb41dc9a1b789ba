package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact requests (method, path, query, headers, body) the engine sends for each operation, in the compliant
 * form and with each compatibility switch, as the SCIM target receives them.
 */
class ScimRequestShapeTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "t-" + UUID.randomUUID();

    private String userId;

    /** A known token, so that the static header check can compare against it. */
    @Override
    ScimSandboxConfig scimConfig() {
        return ScimSandboxConfig.defaults().withBearerToken(TOKEN);
    }

    @BeforeEach
    void assignOneUser() {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "ann@contoso.example");
        user.put("mailNickname", "ann");
        user.put("givenName", "Ann");
        user.put("surname", "Lee");
        user.put("jobTitle", "Buyer");
        user.put("mail", "ann@contoso.example");
        user.put("department", "Retail");
        user.put("accountEnabled", true);
        userId = graph.tenant().addUser(user);
        graph.tenant().assign(userId);
    }

    @Test
    void compliantRequestsForMatchCreateUpdateDisableAndDelete() throws Exception {
        String id = provisionAndUpdate(Map.of());

        List<RecordedRequest> requests = userRequests();
        RecordedRequest match = requests.get(0);
        assertThat(match.method()).isEqualTo("GET");
        assertThat(match.path()).isEqualTo("/Users");
        assertThat(match.query()).isEqualTo("filter=userName eq \"ann@contoso.example\"");
        assertThat(match.body()).isNull();
        assertHeaders(match);

        RecordedRequest create = requests.get(1);
        assertThat(create.line()).isEqualTo("POST /Users");
        assertHeaders(create);
        assertThat(json(create)).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"ann@contoso.example","externalId":"ann","active":true,"title":"Buyer",
                 "emails":[{"value":"ann@contoso.example","type":"work"}],
                 "name":{"givenName":"Ann","familyName":"Lee","formatted":"Ann Lee"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"}}"""));

        RecordedRequest update = requests.get(2);
        assertThat(update.line()).isEqualTo("PATCH /Users/" + id);
        assertHeaders(update);
        assertThat(json(update)).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"replace","path":"title","value":"Head buyer"},
                  {"op":"remove","path":"emails[type eq \\"work\\"].value"},
                  {"op":"replace","path":"name.familyName","value":"Kim"},
                  {"op":"replace","path":"name.formatted","value":"Ann Kim"}]}"""));

        RecordedRequest disable = requests.get(3);
        assertThat(disable.line()).isEqualTo("PATCH /Users/" + id);
        assertThat(json(disable)).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"active","value":false}]}"""));

        RecordedRequest delete = requests.get(4);
        assertThat(delete.line()).isEqualTo("DELETE /Users/" + id);
        assertThat(delete.body()).isNull();
        assertHeaders(delete);
        assertThat(requests).hasSize(5);
    }

    @Test
    void opCaseCapitalizedSendsEntrasLegacyOperationNames() throws Exception {
        provisionAndUpdate(Map.of("scim.compat.op-case", "capitalized"));

        assertThat(json(userRequests().get(2)).path("Operations")).extracting(o -> o.path("op").asText())
                .containsExactly("Replace", "Remove", "Replace", "Replace");
        assertThat(json(userRequests().get(3)).path("Operations").get(0).path("op").asText()).isEqualTo("Replace");
    }

    @Test
    void booleanAsStringSendsEntrasLegacyFalse() throws Exception {
        provisionAndUpdate(Map.of("scim.compat.boolean-as-string", "true"));

        assertThat(json(userRequests().get(3))).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"active","value":"False"}]}"""));
        assertThat(scim.userByUserName("ann@contoso.example")).isEmpty();
    }

    @Test
    void pathlessReplaceFoldsTheReplacesIntoOneValueObject() throws Exception {
        provisionAndUpdate(Map.of("scim.compat.pathless-replace", "true"));

        assertThat(json(userRequests().get(2))).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"replace","value":{"title":"Head buyer","name.familyName":"Kim","name.formatted":"Ann Kim"}},
                  {"op":"remove","path":"emails[type eq \\"work\\"].value"}]}"""));
    }

    @Test
    void updateMethodPutReadsMergesAndPutsTheWholeResource() throws Exception {
        String id = provisionAndUpdate(Map.of("scim.compat.update-method", "put"));

        List<RecordedRequest> requests = userRequests();
        assertThat(requests).extracting(RecordedRequest::line).containsExactly(
                "GET /Users?filter=userName eq \"ann@contoso.example\"", "POST /Users",
                "GET /Users/" + id, "PUT /Users/" + id,
                "GET /Users/" + id, "PUT /Users/" + id,
                "DELETE /Users/" + id);
        JsonNode put = json(requests.get(3));
        assertThat(put.path("id").asText()).isEqualTo(id);
        assertThat(put.path("title").asText()).isEqualTo("Head buyer");
        assertThat(put.path("name").path("formatted").asText()).isEqualTo("Ann Kim");
        assertThat(put.path("emails").path(0).has("value")).isFalse();
        assertThat(put.has("meta")).isFalse();
        assertThat(json(requests.get(5)).path("active").asBoolean()).isFalse();
        assertHeaders(requests.get(3));
    }

    @Test
    void serviceProviderConfigIsReadOnceAndLogged() throws Exception {
        provisionAndUpdate(Map.of());

        assertThat(scim.requests()).filteredOn(r -> r.path().equals("/ServiceProviderConfig")).hasSize(1)
                .allSatisfy(ScimRequestShapeTest::assertHeaders);
        assertThat(java.nio.file.Files.readString(Path.of("target/test-logs/tests.log")))
                .contains("SCIM target supports: patch=true, filter=true (maxResults 200), bulk=false, etag=true, sort=false");
    }

    /** Create, change (new title and surname, mail gone), unassign (disable), delete. Returns the SCIM id. */
    private String provisionAndUpdate(Map<String, String> compat) throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        // Entra's requests: a match query before the create (the initial cycle's match index would skip it).
        settings.put("scim.match-index", "off");
        settings.putAll(compat);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String id = scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText();
        Map<String, Object> change = new HashMap<>();
        change.put("jobTitle", "Head buyer");
        change.put("surname", "Kim");
        change.put("mail", null);
        graph.tenant().updateUser(userId, change);
        engine.runCycle();
        graph.tenant().unassign(userId);
        engine.runCycle();
        graph.tenant().hardDeleteUser(userId);
        engine.runCycle();
        return id;
    }

    private static void assertHeaders(RecordedRequest request) {
        assertThat(request.header("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("accept")).isEqualTo("application/scim+json, application/json");
        assertThat(request.header("user-agent")).isEqualTo("camel-entra-provisioning/0.1");
        if (request.body() != null) {
            assertThat(request.header("content-type")).startsWith("application/scim+json");
        }
    }

    private static JsonNode json(RecordedRequest request) throws Exception {
        return JSON.readTree(request.body());
    }
}
