package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The expression tester's SelectUniqueValue with {@code "target"}: each candidate is looked up in the SCIM sandbox
 * with the filter query a cycle sends, through the engine's SCIM route, and the first free one is the answer.
 */
class AdminApiSelectUniqueValueTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** adele@, then Adele.Vance@, then adele2@. */
    private static final String EXPRESSION = "SelectUniqueValue(Join(\"@\", [mailNickname], \"contoso.example\"), "
            + "Join(\"@\", Join(\".\", [givenName], [surname]), \"contoso.example\"), "
            + "Join(\"\", [mailNickname], \"2@contoso.example\"))";
    private static final String ADELE = "{\"mailNickname\": \"adele\", \"givenName\": \"Adele\", \"surname\": \"Vance\"}";

    private AdminClient admin;

    @BeforeEach
    void startEngine() throws Exception {
        startEngine(EngineUnderTest.settingsFor(graph, scim, dataDir));
    }

    private void startEngine(Map<String, String> settings) throws Exception {
        if (engine != null) {
            engine.close();
        }
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();
    }

    @Test
    void aCandidateTheTargetHoldsInAnotherLetterCaseIsTaken() {
        scim.seedUser(seededAccount("ADELE@Contoso.Example"));

        JsonNode answer = admin.ok(evaluate(EXPRESSION, ADELE, "userName"));

        assertThat(answer).isEqualTo(JSON.createObjectNode().put("value", "Adele.Vance@contoso.example")
                .put("checkedInTarget", true));
        assertThat(userFilters()).containsExactly("userName eq \"adele@contoso.example\"",
                "userName eq \"Adele.Vance@contoso.example\"");
    }

    @Test
    void aCandidateIsEscapedInTheFilterAsMatchingEscapesIt() {
        scim.seedUser(seededAccount("o\"neil@contoso.example"));

        JsonNode answer = admin.ok(evaluate(EXPRESSION,
                "{\"mailNickname\": \"o\\\"neil\", \"givenName\": \"Ann\", \"surname\": \"Neil\"}", "userName"));

        assertThat(answer.path("value").asText()).isEqualTo("Ann.Neil@contoso.example");
        assertThat(userFilters()).first().isEqualTo("userName eq \"o\\\"neil@contoso.example\"");
    }

    @Test
    void everyCandidateTakenAnswers409WithTheCyclesReasonAndWritesNothing() {
        scim.seedUser(seededAccount("adele@contoso.example"));
        scim.seedUser(seededAccount("adele.vance@contoso.example"));
        scim.seedUser(seededAccount("adele2@contoso.example"));

        HttpResponse<String> response = evaluate(EXPRESSION, ADELE, "userName");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(AdminClient.json(response).path("error").path("message").asText()).isEqualTo("userName: "
                + "SelectUniqueValue: every generated value already exists in the target: [adele@contoso.example, "
                + "Adele.Vance@contoso.example, adele2@contoso.example]");
        assertThat(userFilters()).hasSize(3);
        assertThat(scim.requests()).allMatch(r -> r.method().equals("GET"));
    }

    @Test
    void withoutATargetTheFirstCandidateIsAnsweredAndTheTargetIsNotAsked() {
        scim.seedUser(seededAccount("adele@contoso.example"));

        JsonNode answer = admin.ok(evaluate(EXPRESSION, ADELE, null));

        assertThat(answer.path("value").asText()).isEqualTo("adele@contoso.example");
        assertThat(answer.path("checkedInTarget").isBoolean()).isTrue();
        assertThat(answer.path("checkedInTarget").asBoolean()).isFalse();
        assertThat(answer.path("uncheckedReason").asText()).contains("no \"target\" given");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void anExpressionWithoutSelectUniqueValueSaysNothingAboutTheTarget() {
        JsonNode answer = admin.ok(evaluate("Join(\".\", [givenName], [surname])", ADELE, "userName"));

        assertThat(answer).isEqualTo(JSON.createObjectNode().put("value", "Adele.Vance"));
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void anUnreachableTargetAnswers502NamingTheFailureAfterTheRetries() {
        scim.close();

        HttpResponse<String> response = evaluate(EXPRESSION, ADELE, "userName");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(AdminClient.json(response).path("error").path("message").asText())
                .startsWith("the SCIM target could not be asked whether userName \"adele@contoso.example\" is "
                        + "taken: gave up after 5 attempts: no answer from the SCIM target");
    }

    @Test
    void aTargetThatRefusesTheCredentialsAnswers502AtOnce() {
        scim.failNext(1, 401, null);

        HttpResponse<String> response = evaluate(EXPRESSION, ADELE, "userName");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(AdminClient.json(response).path("error").path("message").asText())
                .contains("is taken: SCIM target answered 401");
        assertThat(scim.requests()).hasSize(1);
    }

    @Test
    void noTokenForTheTargetAnswers502NamingTheSettingsNotTheSecret() throws Exception {
        scim.close();
        scim = ScimSandbox.start(scimConfig().withTokenClient("provisioning-app", "right-secret"));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.remove("scim.token");
        settings.put("scim.oauth2.token-url", scim.tokenUrl());
        settings.put("scim.oauth2.client-id", "provisioning-app");
        settings.put("scim.oauth2.client-secret", "wrong-secret");
        startEngine(settings);

        HttpResponse<String> response = evaluate(EXPRESSION, ADELE, "userName");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(AdminClient.json(response).path("error").path("message").asText())
                .startsWith("the SCIM target could not be asked whether userName \"adele@contoso.example\" is "
                        + "taken: could not obtain a SCIM access token: the token endpoint")
                .doesNotContain("wrong-secret");
        assertThat(userRequests()).isEmpty();
    }

    @Test
    void aThrottlingTargetIsAskedAgainAsTheCycleWouldAsk() {
        scim.failNext(2, 429, "0");
        scim.seedUser(seededAccount("adele@contoso.example"));

        JsonNode answer = admin.ok(evaluate(EXPRESSION, ADELE, "userName"));

        assertThat(answer.path("value").asText()).isEqualTo("Adele.Vance@contoso.example");
        assertThat(scim.requests()).extracting(RecordedRequest::status).containsExactly(429, 429, 200, 200);
    }

    @Test
    void aTargetWithoutFiltersIsNotAskedAndTheAnswerSaysWhy() throws Exception {
        scim.close();
        scim = ScimSandbox.start(scimConfig().withoutFilter());
        startEngine(EngineUnderTest.settingsFor(graph, scim, dataDir));

        JsonNode answer = admin.ok(evaluate(EXPRESSION, ADELE, "userName"));

        assertThat(answer.path("value").asText()).isEqualTo("adele@contoso.example");
        assertThat(answer.path("checkedInTarget").asBoolean(true)).isFalse();
        assertThat(answer.path("uncheckedReason").asText()).contains("supports no filter");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void aTargetThatIsNoAttributePathAnswers400() {
        HttpResponse<String> response = admin.post("/api/expressions/evaluate", JSON.createObjectNode()
                .put("expression", EXPRESSION).put("target", 7).toString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(AdminClient.json(response).path("error").path("message").asText())
                .contains("\"target\" must name the SCIM attribute");
        assertThat(evaluate(EXPRESSION, ADELE, "user name!").statusCode()).isEqualTo(400);
    }

    private HttpResponse<String> evaluate(String expression, String user, String target) {
        ObjectNode request = JSON.createObjectNode().put("expression", expression);
        try {
            request.set("user", JSON.readTree(user));
        } catch (Exception e) {
            throw new IllegalArgumentException(user, e);
        }
        if (target != null) {
            request.put("target", target);
        }
        return admin.post("/api/expressions/evaluate", request.toString());
    }
}
