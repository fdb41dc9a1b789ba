package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.cycle.CycleProgress;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.Contoso;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The progress of the running cycle in /api/status, in the log and in the metrics, and the last cycles in
 * /api/cycles, over HTTP on the admin port of the running engine. Graph's delta pages hold two users here.
 */
class CycleProgressApiTest extends EngineTest {

    private final ListAppender<ILoggingEvent> progressLines = new ListAppender<>();
    private final Logger progressLogger = (Logger) LoggerFactory.getLogger(CycleProgress.class);
    private AdminClient admin;
    private List<String> assigned;

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(2);
    }

    @BeforeEach
    void fiveAssignedUsersAndOneOther() {
        assigned = new ArrayList<>();
        for (String name : List.of("adele", "brian", "chen", "dora", "emil")) {
            String id = tenant.addUser(Contoso.employee(name, "Sales", "Buyer"));
            tenant.assign(id);
            assigned.add(id);
        }
        tenant.addUser(Contoso.employee("fritz", "Sales", "Buyer"));
        progressLines.start();
        progressLogger.addAppender(progressLines);
    }

    @AfterEach
    void detachLog() {
        progressLogger.detachAppender(progressLines);
    }

    private void startEngine() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.interval", "1h");
        // Only the lines at each tenth: a slow machine would otherwise add the timer's line after 30 s.
        settings.put("provisioning.progress-interval", "1h");
        admin = new AdminClient(settings.get("admin.port"), null);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
    }

    private List<String> linesOf(String cycleId) {
        return progressLines.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.startsWith("Cycle " + cycleId + " ")).toList();
    }

    @Test
    void aShortCycleLogsNoProgressLine() throws Exception {
        startEngine();
        CycleReport initial = engine.awaitInitialCycle();

        assertThat(initial.counts()).containsEntry("created", 5);
        assertThat(linesOf(initial.cycleId())).isEmpty();
        assertThat(admin.ok(admin.get("/api/status")).path("cycle").isNull()).isTrue();
    }

    @Test
    void aLongInitialCycleCountsTheAssignedUsersOfItsScopeAndLogsEachTenth() throws Exception {
        int users = CycleProgress.LONG_CYCLE_USERS;
        for (int i = 5; i < users; i++) {
            tenant.assign(tenant.addUser(Contoso.employee("user" + i, "Sales", "Buyer")));
        }
        startEngine();
        CycleReport initial = engine.awaitInitialCycle(Duration.ofSeconds(120));

        // A line at each tenth done (users done at once share one), percents going up; the unassigned user is read
        // but not counted.
        List<String> lines = linesOf(initial.cycleId());
        assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(10);
        double before = 0;
        Pattern progress = Pattern.compile("progress: ([0-9.]+)% ([0-9]+)/" + users + " users in scope");
        for (String line : lines) {
            Matcher m = progress.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            double percent = Double.parseDouble(m.group(1));
            assertThat(percent).isGreaterThan(before)
                    .isEqualTo(Math.round(Integer.parseInt(m.group(2)) * 1000.0 / users) / 10.0);
            before = percent;
        }
        assertThat(lines.get(lines.size() - 1)).contains("(initial) progress: 100.0% " + users + "/" + users
                + " users in scope").contains(users + " created");
    }

    @Test
    void statusAndMetricsShowTheProgressOfAHeldCycle() throws Exception {
        startEngine();
        // The next cycle is initial again and reads the whole delta, two users a page.
        admin.ok(admin.post("/api/job/stop"));
        admin.ok(admin.post("/api/job/restart"));

        AdviceWith.adviceWith(engine.context(), "default.cycle-progress",
                route -> route.replaceFromWith("direct:progress-tick"));
        try (CycleHold hold = CycleHold.afterFirstUsersPage(engine.context())) {
            admin.ok(admin.post("/api/job/start"));
            hold.awaitHeldCycle();

            JsonNode cycle = admin.ok(admin.get("/api/status")).path("cycle");
            assertThat(cycle.path("type").asText()).isEqualTo("initial");
            assertThat(cycle.path("pagesRead").asInt()).isEqualTo(1);
            assertThat(cycle.path("scopeSize").asInt()).isEqualTo(5);
            assertThat(cycle.path("total").asInt()).isEqualTo(5);
            assertThat(cycle.path("totalOf").asText()).isEqualTo("scope");
            // The first page's two users, both assigned and provisioned already: skipped, and processed.
            assertThat(cycle.path("counts").path("skipped").asInt()).isEqualTo(2);
            assertThat(cycle.path("processed").asInt()).isEqualTo(2);
            assertThat(cycle.path("percent").asDouble()).isEqualTo(40.0);
            assertThat(cycle.path("elapsedSeconds").isIntegralNumber()).isTrue();
            assertThat(cycle.path("remainingSeconds").isIntegralNumber()).isTrue();

            // The 30 s tick logs the held cycle's line although no user got an outcome since the last one.
            String cycleId = cycle.path("cycleId").asText();
            int before = linesOf(cycleId).size();
            engine.context().createProducerTemplate().sendBody("direct:progress-tick", null);
            List<String> lines = linesOf(cycleId);
            assertThat(lines).hasSize(before + 1);
            assertThat(lines.get(before)).contains("(initial) progress: 40.0% 2/5 users in scope; 2 skipped; "
                    + "1 pages read");

            String metrics = metrics();
            assertThat(ObservabilityTest.value(metrics, "provisioning_cycle_progress_percent",
                    "job=\"default\"")).isEqualTo(40.0);
            assertThat(ObservabilityTest.value(metrics, "provisioning_cycle_scope_size",
                    "job=\"default\"")).isEqualTo(5.0);
            assertThat(ObservabilityTest.value(metrics, "provisioning_cycle_processed",
                    "job=\"default\"")).isEqualTo(2.0);

            hold.release();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());
        }
        String metrics = metrics();
        assertThat(ObservabilityTest.value(metrics, "provisioning_cycle_progress_percent", "job=\"default\"")).isNaN();
        assertThat(ObservabilityTest.value(metrics, "provisioning_cycle_processed", "job=\"default\"")).isNaN();
    }

    @Test
    void incrementalCycleCountsOfTheChangesItRead() throws Exception {
        startEngine();
        for (int i : List.of(0, 1, 3)) {
            tenant.updateUser(assigned.get(i), Map.of("jobTitle", "Lead Buyer"));
        }

        admin.ok(admin.post("/api/job/stop"));
        try (CycleHold hold = CycleHold.afterFirstUsersPage(engine.context())) {
            admin.ok(admin.post("/api/job/start"));
            hold.awaitHeldCycle();

            // Two changes a page: the first page's two, both done; Graph does not say how many are still to come.
            JsonNode cycle = admin.ok(admin.get("/api/status")).path("cycle");
            assertThat(cycle.path("type").asText()).isEqualTo("incremental");
            assertThat(cycle.path("totalOf").asText()).isEqualTo("changes read");
            assertThat(cycle.path("total").asInt()).isEqualTo(2);
            assertThat(cycle.path("processed").asInt()).isEqualTo(2);
            assertThat(cycle.path("percent").asDouble()).isEqualTo(100.0);
            hold.release();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());
        }
        assertThat(scim.users()).filteredOn(u -> u.path("title").asText().equals("Lead Buyer")).hasSize(3);
    }

    @Test
    void cyclesListsTheNewestReportsFirstReadingOnlyTheNewest() throws Exception {
        startEngine();
        // Older reports than the engine's, with names that sort after theirs: the order is the files' time. A day
        // old, within provisioning.log.retention-days, which would remove older ones.
        Path folder = dataDir.resolve("cycles");
        Instant dayAgo = Instant.now().minus(Duration.ofDays(1));
        for (int i = 0; i < 30; i++) {
            Path old = folder.resolve("zzzz-" + i + ".json");
            Files.writeString(old, "{\"cycleId\":\"zzzz-" + i + "\",\"type\":\"incremental\"}");
            Files.setLastModifiedTime(old, FileTime.from(dayAgo.plusSeconds(i)));
        }
        CycleReport first = engine.awaitInitialCycle();
        CycleReport second = engine.runCycle();
        CycleReport third = engine.runCycle();

        JsonNode newest = admin.ok(admin.get("/api/cycles?limit=3"));
        assertThat(newest.path("count").asInt()).isEqualTo(3);
        assertThat(newest.path("more").asBoolean()).isTrue();
        assertThat(newest.path("cycles").findValuesAsText("cycleId"))
                .containsExactly(third.cycleId(), second.cycleId(), first.cycleId());
        JsonNode last = newest.path("cycles").get(0);
        assertThat(last.path("type").asText()).isEqualTo("incremental");
        assertThat(last.path("state").asText()).isEqualTo("completed");
        assertThat(last.path("start").asText()).isEqualTo(third.start().toString());
        assertThat(last.path("end").asText()).isEqualTo(third.end().toString());
        assertThat(last.path("durationMs").asLong()).isEqualTo(third.durationMs());
        assertThat(newest.path("cycles").get(2).path("counts").path("created").asInt()).isEqualTo(5);

        JsonNode byDefault = admin.ok(admin.get("/api/cycles"));
        assertThat(byDefault.path("limit").asInt()).isEqualTo(20);
        assertThat(byDefault.path("count").asInt()).isEqualTo(20);
        assertThat(byDefault.path("cycles").get(3).path("cycleId").asText()).isEqualTo("zzzz-29");

        assertThat(admin.get("/api/cycles?limit=0").statusCode()).isEqualTo(400);
        assertThat(admin.get("/api/cycles?limit=many").statusCode()).isEqualTo(400);
    }

    private String metrics() {
        return admin.get("/observe/metrics").body();
    }
}
