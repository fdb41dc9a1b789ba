package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The preview and expression-tester endpoints, over HTTP on the admin port of the running engine. */
class AdminApiTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private String adminUrl;
    private String assignedId;
    private String unassignedId;

    @BeforeEach
    void startEngine() throws Exception {
        assignedId = graph.tenant().addUser(user("adele", "Adele", "Vance"));
        unassignedId = graph.tenant().addUser(user("dave", "Dave", "Jones"));
        graph.tenant().assign(assignedId);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        adminUrl = "http://127.0.0.1:" + settings.get("admin.port");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();
    }

    @Test
    void previewShowsScopeMatchFilterAndTheResourceWithoutSendingAnything() throws Exception {
        JsonNode graphUser = JSON.valueToTree(graph.tenant().user(assignedId).orElseThrow());

        HttpResponse<String> response = post("/api/preview", graphUser.toString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode preview = JSON.readTree(response.body());
        assertThat(preview.path("inScope").asBoolean()).isTrue();
        assertThat(preview.path("matchFilter").asText()).isEqualTo("userName eq \"adele@contoso.example\"");
        assertThat(preview.path("resource")).isEqualTo(JSON.readTree("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"adele@contoso.example","externalId":"adele","active":true,"title":"Buyer",
                 "emails":[{"value":"adele@contoso.example","type":"work"}],
                 "name":{"givenName":"Adele","familyName":"Vance","formatted":"Adele Vance"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"}}"""));
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void previewOfAnUnassignedUserSaysWhyItIsOutOfScope() throws Exception {
        JsonNode graphUser = JSON.valueToTree(graph.tenant().user(unassignedId).orElseThrow());

        JsonNode preview = JSON.readTree(post("/api/preview", graphUser.toString()).body());

        assertThat(preview.path("inScope").asBoolean()).isFalse();
        assertThat(preview.path("scopeReason").asText()).contains("not assigned");
        assertThat(preview.path("resource").path("active").asBoolean()).isFalse();
    }

    @Test
    void previewRejectsABodyThatIsNotJson() throws Exception {
        HttpResponse<String> response = post("/api/preview", "not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("message").asText()).contains("not JSON");
    }

    @Test
    void evaluateAnswersTheExpressionsValue() throws Exception {
        HttpResponse<String> response = post("/api/expressions/evaluate", """
                {"expression": "Join(\\" \\", [givenName], [surname])",
                 "user": {"givenName": "Adele", "surname": "Vance"}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"value\":\"Adele Vance\"}"));
    }

    @Test
    void evaluateAnswersADateAsEntraDisplaysIt() throws Exception {
        assertThat(evaluate("CDate([hireDate])", "{\"hireDate\": \"2025-01-15T15:04:05Z\"}"))
                .isEqualTo(JSON.readTree("{\"value\":\"1/15/2025 3:04:05 PM\"}"));
        assertThat(evaluate("DateAdd(\"d\", 3, CDate(\"2025-01-15T15:04:05Z\"))", "{}"))
                .isEqualTo(JSON.readTree("{\"value\":\"1/18/2025 3:04:05 PM\"}"));
        assertThat(evaluate("DateFromNum([lastLogon])", "{\"lastLogon\": \"129699324000000000\"}"))
                .isEqualTo(JSON.readTree("{\"value\":\"1/1/2012 11:00:00 PM\"}"));
        assertThat(evaluate("Now()", "{}").path("value").asText())
                .matches("\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M");
    }

    @Test
    void evaluateAnswersAnIgnoredAttributeAsIgnored() throws Exception {
        assertThat(evaluate("IgnoreFlowIfNullOrEmpty([department])", "{}"))
                .isEqualTo(JSON.readTree("{\"value\":null,\"ignored\":true}"));
        assertThat(evaluate("IgnoreFlowIfNullOrEmpty([department])", "{\"department\": \"Retail\"}"))
                .isEqualTo(JSON.readTree("{\"value\":\"Retail\"}"));
    }

    @Test
    void evaluateAnswersARedactedValueWithItsValueAndSaysItIsRedacted() throws Exception {
        assertThat(evaluate("Redact([userPrincipalName])", "{\"userPrincipalName\": \"adele@contoso.example\"}"))
                .isEqualTo(JSON.readTree("{\"value\":\"adele@contoso.example\",\"redacted\":true}"));
        assertThat(evaluate("Redact(CDate(\"2025-01-15T15:04:05Z\"))", "{}"))
                .isEqualTo(JSON.readTree("{\"value\":\"1/15/2025 3:04:05 PM\",\"redacted\":true}"));
    }

    @Test
    void evaluateAnswersValuesOfEveryKindAsEntraShowsThem() throws Exception {
        assertThat(evaluate("CBool(\"true\")", "{}")).isEqualTo(JSON.readTree("{\"value\":\"True\"}"));
        assertThat(evaluate("BitAnd(&HF, &HF7)", "{}")).isEqualTo(JSON.readTree("{\"value\":\"7\"}"));
        assertThat(evaluate("[missing]", "{}")).isEqualTo(JSON.readTree("{\"value\":null}"));
        assertThat(evaluate("Split([proxies], \",\")", "{\"proxies\": \"a,b\"}"))
                .isEqualTo(JSON.readTree("{\"value\":[\"a\",\"b\"]}"));
    }

    @Test
    void evaluateAnswersAParseErrorWithItsPosition() throws Exception {
        HttpResponse<String> response = post("/api/expressions/evaluate", """
                {"expression": "Join(\\" \\", [givenName]", "user": {}}""");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).contains("')' expected to close Join");
        assertThat(error.path("position").asInt()).isEqualTo(21);
    }

    @Test
    void getIsNotAllowedOnTheEndpoints() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + "/api/preview")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
    }

    /** The tester's 200 answer for an expression and a user's attributes (a JSON object). */
    private JsonNode evaluate(String expression, String user) throws Exception {
        HttpResponse<String> response = post("/api/expressions/evaluate",
                JSON.createObjectNode().put("expression", expression).set("user", JSON.readTree(user)).toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> user(String name, String given, String surname) {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", name + "@contoso.example");
        user.put("mail", name + "@contoso.example");
        user.put("mailNickname", name);
        user.put("givenName", given);
        user.put("surname", surname);
        user.put("jobTitle", "Buyer");
        user.put("department", "Retail");
        user.put("businessPhones", List.of());
        user.put("accountEnabled", true);
        return user;
    }
}
