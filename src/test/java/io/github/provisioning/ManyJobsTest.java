package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import io.github.provisioning.state.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three jobs in one engine, each with its own tenant, target and mapping (provisioning.jobs.<job>.*), run isolated:
 * one is quarantined (its target rejects its token), one holds deletions above its threshold, and one runs as
 * usual; the per-job admin API, reports and provisioning logs show each one's own state.
 */
class ManyJobsTest {

    private static final List<String> NAMES = List.of("adele", "brian", "chen");
    private static final Duration CYCLE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final Map<String, World> worlds = new LinkedHashMap<>();
    private EngineUnderTest engine;
    private AdminClient admin;

    /** A job's own tenant and target, and its users' Graph ids by name. */
    private record World(GraphSimulator graph, ScimSandbox scim, Map<String, String> ids) {
        Tenant tenant() {
            return graph.tenant();
        }
    }

    @BeforeEach
    void startTenantsAndTargets() {
        for (String job : List.of("hr", "sales", "lab")) {
            GraphSimulator graph = GraphSimulator.start(
                    GraphSimulatorConfig.defaults().withClientSecret("graph-secret-" + UUID.randomUUID()));
            ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()));
            Map<String, String> ids = new LinkedHashMap<>();
            for (String name : NAMES) {
                ids.put(name, graph.tenant().addUser(Contoso.employee(name, "Sales", "Buyer")));
                graph.tenant().assign(ids.get(name));
            }
            worlds.put(job, new World(graph, scim, ids));
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (World world : worlds.values()) {
            world.scim().close();
            world.graph().close();
        }
    }

    @Test
    void threeJobsRunIsolatedOneQuarantinedOneHoldingDeletionsOneAsUsual() throws Exception {
        int port = EngineUnderTest.freePort();
        // The engine's settings of a test, less a tenant and target of its own: it has no job default.
        World any = worlds.get("hr");
        Map<String, String> settings = Sandbox.testEngineSettings(any.graph(), any.scim(), dataDir, port);
        settings.keySet().removeAll(Sandbox.connectionSettings(any.graph(), any.scim()).keySet());
        settings.putAll(TestDatabase.engineSettings(dataDir));
        worlds.forEach((job, world) -> Sandbox.connectionSettings(world.graph(), world.scim())
                .forEach((name, value) -> settings.put("provisioning.jobs." + job + "." + name, value)));
        // Each its own mapping: hr the generic SCIM one, sales Meta's (the default), lab a file of its own. sales: a
        // token its target rejects; lab: deletions held above 1.
        settings.put("provisioning.jobs.hr.provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        Path labMapping = Files.writeString(dataDir.resolve("lab-mapping.yaml"), """
                user:
                  mappings:
                    - target: userName
                      source: userPrincipalName
                      match: 1
                    - target: active
                      expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
                    - target: displayName
                      expression: 'Join(" ", "Lab", [displayName])'
                """);
        settings.put("provisioning.jobs.lab.provisioning.mapping", labMapping.toString());
        settings.put("provisioning.jobs.sales.scim.token", "not-the-target's");
        settings.put("provisioning.jobs.lab.provisioning.deletion-threshold", "1");
        admin = new AdminClient(String.valueOf(port), null);

        engine = EngineUnderTest.start(settings, dataDir);

        JsonNode hr = awaitLastCycle("hr");
        JsonNode lab = awaitLastCycle("lab");
        assertThat(hr.path("state").asText()).isEqualTo("completed");
        assertThat(hr.path("counts").path("created").asInt()).isEqualTo(3);
        assertThat(lab.path("counts").path("created").asInt()).isEqualTo(3);
        JsonNode sales = await().atMost(CYCLE).until(() -> status("sales").path("quarantine"),
                q -> !q.isMissingNode() && !q.isNull());
        assertThat(sales.path("reason").asText()).isEqualTo("credentials");
        assertThat(worlds.get("sales").scim().users()).isEmpty();
        assertThat(worlds.get("hr").scim().users()).hasSize(3);
        assertThat(worlds.get("lab").scim().users()).hasSize(3)
                .allSatisfy(user -> assertThat(user.path("displayName").asText()).startsWith("Lab "));
        assertThat(worlds.get("hr").scim().users())
                .allSatisfy(user -> assertThat(user.path("displayName").asText()).doesNotStartWith("Lab "));

        // lab: two of its users leave its tenant; more than its threshold, so both are held and lab pauses.
        World labWorld = worlds.get("lab");
        labWorld.tenant().hardDeleteUser(labWorld.ids().get("adele"));
        labWorld.tenant().hardDeleteUser(labWorld.ids().get("brian"));
        labWorld.scim().clearRequests();
        assertThat(admin.post("/api/jobs/lab/job/start").statusCode()).isEqualTo(200);
        await().atMost(CYCLE).until(() -> status("lab").path("deletions").path("held").asInt() == 2);
        assertThat(status("lab").path("deletions").path("threshold").asInt()).isEqualTo(1);
        assertThat(labWorld.scim().requests()).noneMatch(r -> r.method().equals("DELETE"));

        // hr goes on: a new user of its tenant is created in its next cycle, the others' state is untouched.
        World hrWorld = worlds.get("hr");
        hrWorld.tenant().assign(hrWorld.tenant().addUser(Contoso.employee("dora", "Sales", "Buyer")));
        String before = hr.path("cycleId").asText();
        assertThat(admin.post("/api/jobs/hr/job/start").statusCode()).isEqualTo(200);
        JsonNode next = await().atMost(CYCLE).until(() -> status("hr").path("lastCycle"),
                c -> !c.path("cycleId").asText().equals(before) && !c.path("state").asText().isEmpty());
        assertThat(next.path("counts").path("created").asInt()).isEqualTo(1);
        assertThat(hrWorld.scim().users()).hasSize(4);
        assertThat(status("sales").path("quarantine").path("reason").asText()).isEqualTo("credentials");
        assertThat(status("lab").path("deletions").path("held").asInt()).isEqualTo(2);
        assertThat(status("hr").path("quarantine").isNull()).isTrue();
        assertThat(status("hr").path("deletions").path("held").asInt()).isZero();

        // GET /api/jobs: the three, with their states; today's paths serve no job here (no default job).
        JsonNode jobs = admin.ok(admin.get("/api/jobs")).path("jobs");
        assertThat(jobs.findValuesAsText("job")).containsExactly("hr", "lab", "sales");
        assertThat(admin.get("/api/jobs/nope/status").statusCode()).isEqualTo(404);
        assertThat(admin.get("/api/status").statusCode()).isEqualTo(404);

        // Each job's reports and provisioning log are its own, under {data-dir}/jobs/<job>/.
        assertThat(reports("hr")).hasSize(2);
        assertThat(reports("lab")).hasSize(2);
        assertThat(Files.readString(dataDir.resolve("jobs/hr/provisioning-log.jsonl")))
                .contains(hrWorld.ids().get("adele")).doesNotContain(labWorld.ids().get("adele"));
        assertThat(Files.readString(dataDir.resolve("jobs/lab/provisioning-log.jsonl")))
                .contains(labWorld.ids().get("adele")).contains("staged-delete")
                .doesNotContain(hrWorld.ids().get("adele"));
        assertThat(dataDir.resolve("cycles")).doesNotExist();
    }

    private JsonNode status(String job) {
        return admin.ok(admin.get("/api/jobs/" + job + "/status"));
    }

    private JsonNode awaitLastCycle(String job) {
        return await().atMost(CYCLE).until(() -> status(job).path("lastCycle"),
                c -> !c.isMissingNode() && !c.isNull() && !c.path("state").asText().isEmpty());
    }

    private List<Path> reports(String job) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("jobs").resolve(job).resolve("cycles"))) {
            return new ArrayList<>(files.filter(f -> f.toString().endsWith(".json")).toList());
        }
    }
}
