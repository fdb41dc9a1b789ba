package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /api/provision/users/{id}: one user now, answered with the steps Import, Scope, Match and Action. */
class ProvisionOnDemandApiTest extends EngineTest {

    private AdminClient admin;

    @BeforeEach
    void startEngine() throws Exception {
        tenant.assign(tenant.addUser(Contoso.employee("adele", "Sales", "Buyer")));
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();
    }

    @Test
    void aNewlyAssignedUserIsCreatedAtOnceAndTheStepsSaySo() throws Exception {
        String id = tenant.addUser(Contoso.employee("brian", "Sales", "Buyer"));
        tenant.assign(id);

        JsonNode reply = admin.ok(admin.post("/api/provision/users/" + id));

        JsonNode steps = reply.path("steps");
        assertThat(steps.findValuesAsText("step")).containsExactly("Import", "Scope", "Match", "Action");
        assertThat(steps.get(0).path("status").asText()).isEqualTo("success");
        assertThat(steps.get(0).path("userPrincipalName").asText()).isEqualTo(Contoso.upn("brian"));
        assertThat(steps.get(1).path("inScope").asBoolean()).isTrue();
        assertThat(steps.get(2).path("filter").asText()).isEqualTo("userName eq \"" + Contoso.upn("brian") + "\"");
        assertThat(steps.get(2).path("found").asBoolean()).isFalse();
        JsonNode action = steps.get(3);
        assertThat(action.path("outcome").asText()).isEqualTo("created");
        // A target that filters is asked with the filter, never listed.
        assertThat(userRequests()).noneMatch(r -> r.query() != null && r.query().contains("startIndex="));
        assertThat(action.path("scimStatus").asInt()).isEqualTo(201);
        assertThat(action.path("modifiedProperties").findValuesAsText("name")).contains("userName", "title");
        String targetId = action.path("targetId").asText();
        assertThat(scim.user(targetId)).isPresent();
        // The same log line as a cycle writes, under the on-demand run's id.
        assertThat(engine.logLines()).anySatisfy(line -> {
            assertThat(line.path("cycleId").asText()).isEqualTo(reply.path("cycleId").asText());
            assertThat(line.path("action").asText()).isEqualTo("create");
            assertThat(line.path("sourceId").asText()).isEqualTo(id);
        });
        // Linked now: the next cycle neither matches nor creates the account again.
        scim.clearRequests();
        engine.runCycle();
        assertThat(scim.countCreates(Contoso.upn("brian"))).isZero();
        assertThat(scim.users()).hasSize(2);
    }

    @Test
    void aLinkedUserIsUpdatedWithOnlyWhatChanged() throws Exception {
        String id = tenant.userByUpn(Contoso.upn("adele")).orElseThrow().path("id").asText();
        tenant.updateUser(id, Map.of("jobTitle", "Head Buyer"));

        JsonNode steps = admin.ok(admin.post("/api/provision/users/" + id)).path("steps");

        assertThat(steps.get(2).path("found").asBoolean()).isTrue();
        assertThat(steps.get(2).path("reason").asText()).contains("already linked");
        JsonNode action = steps.get(3);
        assertThat(action.path("outcome").asText()).isEqualTo("updated");
        assertThat(action.path("scimStatus").asInt()).isEqualTo(200);
        assertThat(action.path("modifiedProperties")).hasSize(1);
        assertThat(action.path("modifiedProperties").get(0).path("new").asText()).isEqualTo("Head Buyer");
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("title").asText()).isEqualTo("Head Buyer");
    }

    @Test
    void anUnassignedUserIsOutOfScopeAndNothingIsSent() throws Exception {
        String id = tenant.addUser(Contoso.employee("dave", "Sales", "Buyer"));

        JsonNode steps = admin.ok(admin.post("/api/provision/users/" + id)).path("steps");

        assertThat(steps.get(1).path("inScope").asBoolean()).isFalse();
        assertThat(steps.get(1).path("reason").asText()).isEqualTo("not assigned to the application");
        assertThat(steps.get(2).path("status").asText()).isEqualTo("skipped");
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("skipped");
        assertThat(steps.get(3).path("scimStatus").isNull()).isTrue();
        assertThat(userRequests()).isEmpty();
    }

    @Test
    void aFailingTargetIsReportedWithItsStatusAndReason() throws Exception {
        String id = tenant.addUser(Contoso.employee("erin", "Sales", "Buyer"));
        tenant.assign(id);
        scim.failNext(1, 400, null, "/Users");

        JsonNode steps = admin.ok(admin.post("/api/provision/users/" + id)).path("steps");

        assertThat(steps.get(2).path("status").asText()).isEqualTo("failure");
        JsonNode action = steps.get(3);
        assertThat(action.path("outcome").asText()).isEqualTo("failed");
        assertThat(action.path("scimStatus").asInt()).isEqualTo(400);
        assertThat(action.path("reason").asText()).startsWith("ScimError400");
        assertThat(admin.ok(admin.get("/api/status")).path("escrows").asInt()).isEqualTo(1);
    }

    @Test
    void anIdGraphDoesNotKnowIsA404() {
        assertNoSuchUser(admin.post("/api/provision/users/" + UNKNOWN_ID));
        assertThat(userRequests()).isEmpty();
    }

    /** An id Graph does not know: a 404 that says so (provision on demand and preview by id). */
    static final String UNKNOWN_ID = "00000000-0000-0000-0000-000000000000";

    static void assertNoSuchUser(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(AdminClient.json(response).path("error").path("message").asText())
                .isEqualTo("Microsoft Graph has no user with id " + UNKNOWN_ID);
    }

    @Test
    void anIdThatCannotBeAGraphIdIsA400() {
        HttpResponse<String> response = admin.post("/api/provision/users/a%20b");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(AdminClient.json(response).path("error").path("message").asText()).contains("Graph object id");
    }
}
