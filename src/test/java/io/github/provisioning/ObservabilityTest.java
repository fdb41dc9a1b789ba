package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.CycleReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health and Prometheus metrics on the admin port of the running engine, read over HTTP as a scraper would. */
class ObservabilityTest extends EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Map<String, String> settings;
    private String adminUrl;

    @BeforeEach
    void assignTwoUsers() {
        for (String name : new String[] {"ann", "bob"}) {
            tenant.assign(tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
        }
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        adminUrl = "http://127.0.0.1:" + settings.get("admin.port");
    }

    @Test
    void metricsCountCyclesObjectsScimAndGraphRequestsAndTheEscrow() throws Exception {
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        String metrics = get("/observe/metrics").body();

        assertThat(value(metrics, "provisioning_cycles_total",
                "job=\"default\",result=\"completed\",type=\"initial\"")).isEqualTo(1);
        assertThat(value(metrics, "provisioning_cycle_duration_seconds_count",
                "job=\"default\",result=\"completed\",type=\"initial\""))
                .isEqualTo(1);
        assertThat(value(metrics, "provisioning_objects_total",
                "job=\"default\",action=\"create\",object_type=\"user\",status=\"success\"")).isEqualTo(2);
        assertThat(value(metrics, "provisioning_scim_requests_seconds_count",
                "job=\"default\",method=\"POST\",status=\"201\""))
                .isEqualTo(2);
        assertThat(value(metrics, "provisioning_scim_requests_seconds_count",
                "job=\"default\",method=\"GET\",status=\"200\""))
                .isGreaterThanOrEqualTo(2);
        assertThat(value(metrics, "provisioning_graph_requests_seconds_count", "job=\"default\",status=\"200\""))
                .isGreaterThanOrEqualTo(2);
        assertThat(value(metrics, "provisioning_escrow_objects", "job=\"default\",object_type=\"user\"")).isZero();
        assertThat(value(metrics, "provisioning_escrow_objects", "job=\"default\",object_type=\"group\"")).isZero();
        assertThat(metrics).doesNotContain(settings.get("graph.client-secret"))
                .doesNotContain(settings.get("scim.token"));
        // Camel's route metrics: the cycle's routes, not the ones run per object and per SCIM request.
        assertThat(metrics).contains("routeId=\"default.run-cycle\"").contains("routeId=\"default.read-user-changes\"")
                .doesNotContain("routeId=\"default.provision-user\"").doesNotContain("routeId=\"default.scim-exchange\"")
                .doesNotContain("routeId=\"default.provision-group\"").doesNotContain("routeId=\"default.send-plan\"");

        tenant.assign(tenant.addUser(Contoso.employee("cid", "Sales", "Buyer")));
        scim.failNext(1, 400, null, "/Users");
        CycleReport failing = engine.runCycle();
        assertThat(failing.counts()).containsEntry("failed", 1);

        metrics = get("/observe/metrics").body();
        assertThat(value(metrics, "provisioning_cycles_total",
                "job=\"default\",result=\"completed\",type=\"incremental\""))
                .isEqualTo(1);
        assertThat(value(metrics, "provisioning_objects_total",
                "job=\"default\",action=\"other\",object_type=\"user\",status=\"failure\"")).isEqualTo(1);
        assertThat(value(metrics, "provisioning_scim_requests_seconds_count",
                "job=\"default\",method=\"GET\",status=\"400\""))
                .isEqualTo(1);
        assertThat(value(metrics, "provisioning_escrow_objects", "job=\"default\",object_type=\"user\"")).isEqualTo(1);

        engine.runCycle();
        assertThat(value(get("/observe/metrics").body(), "provisioning_escrow_objects",
                "job=\"default\",object_type=\"user\""))
                .isZero();
    }

    @Test
    void healthIsUpAfterACompletedCycle() throws Exception {
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        HttpResponse<String> health = get("/observe/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void healthIsDownWithTheReasonAfterAFailedCycleAndLivenessStaysUp() throws Exception {
        String secret = settings.get("graph.client-secret");
        settings.put("graph.client-secret", "wrong-" + secret);
        engine = EngineUnderTest.start(settings, dataDir);
        CycleReport failed = engine.awaitInitialCycle();
        assertThat(failed.completed()).isFalse();

        HttpResponse<String> health = get("/observe/health");

        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(health.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(health.body()).contains("last-cycle").contains(failed.cycleId()).contains("AADSTS7000215")
                .doesNotContain(secret);
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(503);
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(value(get("/observe/metrics").body(), "provisioning_cycles_total",
                "job=\"default\",result=\"failed\",type=\"initial\"")).isEqualTo(1);
    }

    @Test
    void graphThrottlingIsCountedInTheMetricsAndInTheCycleReport() throws Exception {
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String before = get("/observe/metrics").body();
        assertThat(value(before, "provisioning_graph_throttled_total", "job=\"default\"")).isZero();
        assertThat(value(before, "provisioning_graph_retry_wait_seconds_total", "job=\"default\"")).isZero();

        graph.failNext(2, 429, "1", "/users/delta$");
        graph.failNext(1, 503, null, "/appRoleAssignedTo$");
        CycleReport throttled = engine.runCycle();

        assertThat(throttled.completed()).isTrue();
        JsonNode report = engine.report(throttled).path("graph");
        assertThat(report.path("throttled").asInt()).isEqualTo(2);
        assertThat(report.path("retried").asInt()).isEqualTo(3);
        assertThat(report.path("waitedSeconds").asDouble()).isGreaterThanOrEqualTo(2.0);
        String metrics = get("/observe/metrics").body();
        assertThat(value(metrics, "provisioning_graph_throttled_total", "job=\"default\"")).isEqualTo(2);
        assertThat(value(metrics, "provisioning_graph_retries_total", "job=\"default\",status=\"429\"")).isEqualTo(2);
        assertThat(value(metrics, "provisioning_graph_retries_total", "job=\"default\",status=\"503\"")).isEqualTo(1);
        assertThat(value(metrics, "provisioning_graph_retry_wait_seconds_total", "job=\"default\""))
                .isCloseTo(report.path("waitedSeconds").asDouble(), org.assertj.core.data.Offset.offset(0.001));
        assertThat(value(metrics, "provisioning_graph_requests_seconds_count",
                "job=\"default\",status=\"429\"")).isEqualTo(2);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of the one series of {@code name} that carries all of {@code labels} (Prometheus text format,
     * {@code name{a="x",b="y"} value}; other labels, such as Camel's camelContext, may be there too).
     */
    static double value(String metrics, String name, String labels) {
        // A series without labels has no braces.
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)})? (\\S+)$").matcher(metrics);
        java.util.List<Double> found = new java.util.ArrayList<>();
        while (m.find()) {
            java.util.List<String> present = java.util.List.of(m.group(1) == null ? "" : m.group(1)).stream()
                    .flatMap(l -> java.util.Arrays.stream(l.split(","))).toList();
            if (present.containsAll(java.util.List.of(labels.split(",")))) {
                found.add(Double.parseDouble(m.group(2)));
            }
        }
        assertThat(found).as("series %s{%s} in%n%s", name, labels, metrics).hasSize(1);
        return found.get(0);
    }
}
