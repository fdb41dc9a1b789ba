package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.sandbox.graph.Contoso;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GET /api/preview/users/{id}: what provisioning a user now would do, read from Graph and matched in the target,
 * with no write sent to the target and nothing stored.
 */
class PreviewByIdApiTest extends EngineTest {

    private AdminClient admin;
    private String adele;
    private int logLinesBefore;

    @BeforeEach
    void startEngine() throws Exception {
        adele = tenant.addUser(Contoso.employee("adele", "Sales", "Buyer"));
        tenant.assign(adele);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        scim.clearRequests();
        logLinesBefore = engine.logLines().size();
    }

    /** Every preview reads only: no SCIM write, no provisioning-log line. */
    @AfterEach
    void nothingWasWritten() {
        assertThat(scim.requests()).allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
        assertThat(engine.logLines()).hasSize(logLinesBefore);
    }

    @Test
    void aNewUserWouldBeCreatedWithTheResourceThatWouldBePosted() throws Exception {
        String id = tenant.addUser(Contoso.employee("brian", "Sales", "Buyer"));
        tenant.assign(id);

        JsonNode reply = admin.ok(admin.get("/api/preview/users/" + id));

        assertThat(reply.path("action").asText()).isEqualTo("create");
        assertThat(reply.path("reason").asText()).isEqualTo("no matching account in the target");
        assertThat(reply.path("inScope").asBoolean()).isTrue();
        assertThat(reply.path("match").path("filter").asText())
                .isEqualTo("userName eq \"" + Contoso.upn("brian") + "\"");
        assertThat(reply.path("match").path("found").asBoolean()).isFalse();
        assertThat(reply.path("resource").path("userName").asText()).isEqualTo(Contoso.upn("brian"));
        assertThat(reply.path("resource").path("title").asText()).isEqualTo("Buyer");
        assertThat(scim.userByUserName(Contoso.upn("brian"))).isEmpty();
        // No create intent was stored: provisioning the user for real still creates it, once.
        JsonNode steps = admin.ok(admin.post("/api/provision/users/" + id)).path("steps");
        assertThat(steps.get(3).path("outcome").asText()).isEqualTo("created");
        assertThat(scim.countCreates(Contoso.upn("brian"))).isEqualTo(1);
        scim.clearRequests();
        logLinesBefore = engine.logLines().size();
    }

    @Test
    void aProvisionedUserChangedInGraphWouldBeUpdatedWithTheDiff() throws Exception {
        tenant.updateUser(adele, Map.of("jobTitle", "Head Buyer"));

        JsonNode reply = admin.ok(admin.get("/api/preview/users/" + adele));

        assertThat(reply.path("action").asText()).isEqualTo("update");
        assertThat(reply.path("match").path("reason").asText()).contains("already linked");
        JsonNode modified = reply.path("modifiedProperties");
        assertThat(modified).hasSize(1);
        assertThat(modified.get(0).path("name").asText()).isEqualTo("title");
        assertThat(modified.get(0).path("old").asText()).isEqualTo("Buyer");
        assertThat(modified.get(0).path("new").asText()).isEqualTo("Head Buyer");
        assertThat(reply.path("targetId").asText())
                .isEqualTo(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("id").asText());
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("title").asText()).isEqualTo("Buyer");
    }

    @Test
    void anUnchangedProvisionedUserNeedsNothing() throws Exception {
        JsonNode reply = admin.ok(admin.get("/api/preview/users/" + adele));

        assertThat(reply.path("action").asText()).isEqualTo("none");
        assertThat(reply.path("reason").asText()).isEqualTo("no change");
        assertThat(reply.has("modifiedProperties")).isFalse();
        assertThat(reply.has("resource")).isFalse();
    }

    @Test
    void anUnassignedProvisionedUserWouldBeDisabled() throws Exception {
        tenant.unassign(adele);

        JsonNode reply = admin.ok(admin.get("/api/preview/users/" + adele));

        assertThat(reply.path("action").asText()).isEqualTo("disable");
        assertThat(reply.path("inScope").asBoolean()).isFalse();
        assertThat(reply.path("reason").asText()).isEqualTo("not assigned to the application");
        assertThat(reply.path("modifiedProperties").get(0).path("name").asText()).isEqualTo("active");
        assertThat(reply.path("modifiedProperties").get(0).path("new").asBoolean()).isFalse();
        assertThat(scim.userByUserName(Contoso.upn("adele")).orElseThrow().path("active").asBoolean()).isTrue();
    }

    @Test
    void anIdGraphDoesNotKnowIsA404() {
        ProvisionOnDemandApiTest.assertNoSuchUser(
                admin.get("/api/preview/users/" + ProvisionOnDemandApiTest.UNKNOWN_ID));
        assertThat(userRequests()).isEmpty();
    }
}
