package io.github.provisioning;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.cycle.RunOutcome;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.state.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * The real Camel Main application, with the real routes and application.properties, pointed at a Graph simulator
 * and a SCIM sandbox over loopback HTTP. The scheduler runs the initial cycle on start, as in production; tests
 * run further cycles through the same {@code direct:run-cycle} route the scheduler uses.
 */
final class EngineUnderTest implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Main main;
    private final RunOutcome outcome = new RunOutcome();
    private final Path dataDir;
    private CycleReport lastSeen;

    private EngineUnderTest(Map<String, String> settings, Path dataDir, Map<String, Object> beans) throws Exception {
        this.dataDir = dataDir;
        main = ProvisioningApplication.newMain(outcome);
        settings.forEach(main::addOverrideProperty);
        beans.forEach(main::bind);
        main.start();
    }

    static Map<String, String> settingsFor(GraphSimulator graph, ScimSandbox scim, Path dataDir) {
        Map<String, String> settings = Sandbox.testEngineSettings(graph, scim, dataDir, freePort());
        settings.putAll(TestDatabase.engineSettings(dataDir));
        return settings;
    }

    /** A port nobody listens on now; the admin API binds it a moment later. */
    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EngineUnderTest start(GraphSimulator graph, ScimSandbox scim, Path dataDir) throws Exception {
        return start(settingsFor(graph, scim, dataDir), dataDir);
    }

    static EngineUnderTest start(Map<String, String> settings, Path dataDir) throws Exception {
        return start(settings, dataDir, Map.of());
    }

    /** @param beans registry entries bound before start, e.g. the expression tester's "testerClock" */
    static EngineUnderTest start(Map<String, String> settings, Path dataDir, Map<String, Object> beans)
            throws Exception {
        return new EngineUnderTest(settings, dataDir, beans);
    }

    /** Waits for the cycle the scheduler starts on start-up. */
    CycleReport awaitInitialCycle() {
        return awaitInitialCycle(Duration.ofSeconds(60));
    }

    /** Waits for the cycle the scheduler starts on start-up, for a cycle known to be long. */
    CycleReport awaitInitialCycle(Duration atMost) {
        await().atMost(atMost).until(() -> outcome.last() != null);
        lastSeen = outcome.last();
        return lastSeen;
    }

    CycleReport runCycle() throws Exception {
        main.getCamelTemplate().sendBody("direct:default.run-cycle", null);
        CycleReport report = outcome.last();
        if (report == lastSeen) {
            throw new AssertionError("the cycle wrote no report");
        }
        lastSeen = report;
        return report;
    }

    /** A dry run now, as POST /api/job/dry-run and provisioning.dry-run ask for one. */
    CycleReport runDryRun() throws Exception {
        main.getCamelTemplate().sendBodyAndHeader("direct:default.run-cycle", null, Cycles.DRY_RUN_HEADER, true);
        return awaitNextReport();
    }

    /** The report of the next cycle (or dry run) to end, one started by the admin API, say. */
    CycleReport awaitNextReport() {
        await().atMost(Duration.ofSeconds(60)).until(() -> outcome.last() != null && outcome.last() != lastSeen);
        lastSeen = outcome.last();
        return lastSeen;
    }

    /** The running application's Camel context, for tests that hold a cycle with AdviceWith. */
    org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }

    Path dataDir() {
        return dataDir;
    }

    List<JsonNode> logLines() {
        Path file = dataDir.resolve("provisioning-log.jsonl");
        List<JsonNode> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                lines.add(JSON.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /**
     * The report of the engine's first cycle, read from its file: also when a later cycle (a quarantined job's next
     * tick, say) has ended since, which {@link #awaitInitialCycle()} would answer instead.
     */
    JsonNode firstReport() throws IOException {
        awaitInitialCycle();
        List<JsonNode> reports = new ArrayList<>();
        try (var files = Files.list(dataDir.resolve("cycles"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                reports.add(JSON.readTree(file.toFile()));
            }
        }
        return reports.stream().min(java.util.Comparator.comparing(r -> java.time.Instant.parse(r.path("start")
                .asText()))).orElseThrow();
    }

    JsonNode report(CycleReport report) throws IOException {
        return JSON.readTree(dataDir.resolve("cycles").resolve(report.cycleId() + ".json").toFile());
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
