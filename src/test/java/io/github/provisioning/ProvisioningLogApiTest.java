package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleReport;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /api/logs: the provisioning log, filtered, newest first, with a limit. */
class ProvisioningLogApiTest extends EngineTest {

    private AdminClient admin;
    private CycleReport initial;
    private CycleReport second;
    private String adeleId;

    @BeforeEach
    void runTwoCycles() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("adele", "brian", "chen", "dora")) {
            String id = tenant.addUser(Contoso.employee(name, "Sales", "Buyer"));
            tenant.assign(id);
            ids.add(id);
        }
        adeleId = ids.get(0);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        initial = engine.awaitInitialCycle();
        tenant.updateUser(adeleId, Map.of("jobTitle", "Head Buyer"));
        tenant.updateUser(ids.get(1), Map.of("accountEnabled", false));
        second = engine.runCycle();
    }

    @Test
    void withoutFiltersItAnswersEveryLineNewestFirst() {
        JsonNode reply = admin.ok(admin.get("/api/logs"));

        List<JsonNode> entries = list(reply.path("entries"));
        assertThat(entries).hasSize(engine.logLines().size()).hasSize(6);
        assertThat(reply.path("more").asBoolean()).isFalse();
        // Newest first is the reverse of the order the lines were written in. (Their timestamps are taken before
        // the write by parallel threads, so two lines of one page may be written in the other order.)
        List<String> written = new ArrayList<>(engine.logLines().stream().map(e -> e.path("changeId").asText()).toList());
        Collections.reverse(written);
        assertThat(entries).extracting(e -> e.path("changeId").asText()).containsExactlyElementsOf(written);
        assertThat(entries.get(0).path("cycleId").asText()).isEqualTo(second.cycleId());
        assertThat(entries).allSatisfy(e -> assertThat(e.path("jobId").asText()).isEqualTo("default"));
    }

    @Test
    void filtersOnCycleStatusActionAndSourceId() {
        assertThat(list(admin.ok(admin.get("/api/logs?cycle=" + initial.cycleId())).path("entries")))
                .hasSize(4).allSatisfy(e -> assertThat(e.path("action").asText()).isEqualTo("create"));
        assertThat(list(admin.ok(admin.get("/api/logs?action=disable&status=success")).path("entries")))
                .singleElement().satisfies(e -> assertThat(e.path("sourceIdentity").asText()).isEqualTo(Contoso.upn("brian")));
        assertThat(list(admin.ok(admin.get("/api/logs?source-id=" + adeleId)).path("entries")))
                .extracting(e -> e.path("action").asText()).containsExactly("update", "create");
        assertThat(list(admin.ok(admin.get("/api/logs?cycle=" + second.cycleId() + "&action=create")).path("entries")))
                .isEmpty();
    }

    @Test
    void theLimitKeepsTheNewestAndSaysThatThereIsMore() {
        JsonNode reply = admin.ok(admin.get("/api/logs?limit=2"));

        assertThat(reply.path("count").asInt()).isEqualTo(2);
        assertThat(reply.path("more").asBoolean()).isTrue();
        assertThat(list(reply.path("entries"))).allSatisfy(e ->
                assertThat(e.path("cycleId").asText()).isEqualTo(second.cycleId()));
    }

    @Test
    void anInvalidFilterIsA400WithTheReason() {
        Map<String, String> cases = Map.of(
                "status=done", "status must be one of",
                "action=Create", "action must be one of",
                "limit=0", "limit must be a whole number from 1 to 1000",
                "limit=1001", "limit must be a whole number from 1 to 1000",
                "limit=ten", "limit must be a whole number from 1 to 1000",
                "cycle=a%20b", "cycle must be an id",
                "status=success&status=failure", "Give status once",
                "user=adele", "Unknown parameter user");
        SoftAssertions softly = new SoftAssertions();
        cases.forEach((query, message) -> {
            HttpResponse<String> response = admin.get("/api/logs?" + query);
            softly.assertThat(response.statusCode()).as(query).isEqualTo(400);
            softly.assertThat(AdminClient.json(response).path("error").path("message").asText()).as(query)
                    .contains(message);
        });
        softly.assertAll();
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }
}
