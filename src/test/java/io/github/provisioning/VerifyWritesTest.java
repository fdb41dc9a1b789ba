package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** scim.verify-writes: a target that silently drops attributes is caught by reading the account back. */
class VerifyWritesTest extends EngineTest {

    private String userId;

    @BeforeEach
    void arrange() {
        // like Keycloak's default user profile: phone numbers and titles are not stored, the write still succeeds
        scim.dropUserAttributes("phoneNumbers", "title");
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "ann@contoso.example");
        user.put("jobTitle", "Buyer");
        user.put("businessPhones", List.of("+1 555 0100"));
        user.put("department", "Retail");
        user.put("accountEnabled", true);
        userId = graph.tenant().addUser(user);
        graph.tenant().assign(userId);
    }

    @Test
    void droppedAttributesAreAWarningInTheProvisioningLog() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("scim.verify-writes", "true");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", 1).containsEntry("failed", 0);
        String id = scim.userByUserName("ann@contoso.example").orElseThrow().path("id").asText();
        assertThat(userRequests()).extracting(RecordedRequest::line).endsWith("POST /Users", "GET /Users/" + id);
        JsonNode create = engine.logLines().get(0);
        assertThat(create.path("action").asText()).isEqualTo("create");
        assertThat(create.path("status").asText()).isEqualTo("warning");
        assertThat(create.path("reason").asText())
                .isEqualTo("the target did not keep title, phoneNumbers[type eq \"work\"].value");

        graph.tenant().updateUser(userId, Map.of("department", "Sales"));
        engine.runCycle();

        JsonNode update = engine.logLines().get(engine.logLines().size() - 1);
        assertThat(update.path("action").asText()).isEqualTo("update");
        assertThat(update.path("status").asText()).as("the department was kept").isEqualTo("success");
    }

    @Test
    void withoutVerifyWritesNothingIsReadBack() throws Exception {
        engine = EngineUnderTest.start(graph, scim, dataDir);

        engine.awaitInitialCycle();

        assertThat(userRequests()).extracting(RecordedRequest::method).containsExactly("GET", "POST");
        assertThat(engine.logLines().get(0).path("status").asText()).isEqualTo("success");
    }
}
