package io.github.provisioning.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static io.github.provisioning.sandbox.graph.Contoso.employee;
import static io.github.provisioning.sandbox.graph.Contoso.upn;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.boot.JarProcess.Result;
import io.github.provisioning.sandbox.Sandbox;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built Spring Boot jar ({@code java -jar provisioning-spring-boot.jar}) against the Graph simulator and the
 * SCIM sandbox over real HTTP: the route bundle's cycle, exit codes, admin API, health and metrics, as on Camel
 * Main.
 */
class ProvisioningBootJarIT {

    /** A JVM of its own per run; a loaded machine starts Spring Boot slowly. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private GraphSimulator graph;
    private Tenant tenant;
    private ScimSandbox scim;

    @BeforeEach
    void startTenantAndTarget() {
        graph = GraphSimulator.start(GraphSimulatorConfig.defaults().withClientSecret("graph-secret-" + UUID.randomUUID()));
        tenant = graph.tenant();
        scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken("t-" + UUID.randomUUID()));
    }

    @AfterEach
    void stopTenantAndTarget() {
        scim.close();
        graph.close();
    }

    @Test
    void twoOnceRunsCreateThenUpdateDisableAndDeleteAndExitZero() throws Exception {
        String alice = tenant.addUser(employee("alice", "Engineering", "Engineer"));
        String bob = tenant.addUser(employee("bob", "Engineering", "Engineer"));
        String carol = tenant.addUser(employee("carol", "Engineering", "Engineer"));
        List.of(alice, bob, carol).forEach(tenant::assign);
        Map<String, String> settings = once(settings(dataDir));
        // Spring's relaxed binding: the target's token from the environment, as Camel Main takes it; Graph's secret
        // from a properties file, as the README shows.
        Map<String, String> environment = Map.of("SCIM_TOKEN", settings.remove("scim.token"));
        Path secrets = dataDir.resolve("provisioning.properties");
        Files.writeString(secrets, "graph.client-secret = " + settings.remove("graph.client-secret") + "\n");
        settings.put("spring.config.additional-location", "file:" + secrets);

        Result initial = runBoot(settings, environment);
        assertThat(initial.exitCode()).as(initial.output()).isZero();
        assertThat(initial.output()).containsPattern("Cycle [0-9a-f-]+ \\(initial\\) completed .*created=3 ");
        assertThat(target("alice").path("title").asText()).isEqualTo("Engineer");
        assertThat(target("bob").path("active").asBoolean()).isTrue();

        tenant.updateUser(alice, Map.of("jobTitle", "Principal Engineer"));
        tenant.updateUser(bob, Map.of("accountEnabled", false));
        tenant.hardDeleteUser(carol);
        Result incremental = runBoot(settings, environment);
        assertThat(incremental.exitCode()).as(incremental.output()).isZero();
        assertThat(incremental.output())
                .containsPattern("\\(incremental\\) completed .*created=0 updated=1 disabled=1 deleted=1 ");
        assertThat(target("alice").path("title").asText()).isEqualTo("Principal Engineer");
        assertThat(target("bob").path("active").asBoolean()).isFalse();
        assertThat(scim.userByUserName(upn("carol"))).isEmpty();
        assertThat(initial.output() + incremental.output())
                .doesNotContain(graph.config().clientSecret(), scim.config().bearerToken());
    }

    @Test
    void rejectedCredentialsExitWithCamelMainsCodeAndReason(@TempDir Path camelMainDataDir) throws Exception {
        tenant.assign(tenant.addUser(employee("alice", "Engineering", "Engineer")));
        Map<String, String> boot = once(settings(dataDir));
        boot.put("graph.client-secret", "wrong-secret");
        Map<String, String> camelMain = once(settings(camelMainDataDir));
        camelMain.put("graph.client-secret", "wrong-secret");

        Result onBoot = runBoot(boot);
        Result onCamelMain = JarProcess.run(JarProcess.jar("camel-main.jar"), camelMain, RUN_LIMIT);

        assertThat(onCamelMain.exitCode()).as(onCamelMain.output()).isNotZero();
        assertThat(onBoot.exitCode()).as(onBoot.output()).isEqualTo(onCamelMain.exitCode());
        assertThat(onBoot.lastLine()).contains("provisioning cycle failed").contains("AADSTS7000215")
                .isEqualTo(onCamelMain.lastLine());
        assertThat(onBoot.output()).doesNotContain("wrong-secret");
        assertThat(scim.requests()).isEmpty();
    }

    @Test
    void aMissingSettingStopsStartUpNamingIt() throws Exception {
        Map<String, String> settings = once(settings(dataDir));
        settings.remove("scim.url");

        Result result = runBoot(settings);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.lastLine()).startsWith("Provisioning could not start: ").contains("scim.url");
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void theScheduledEngineServesTheAdminApiHealthAndMetricsBehindTheAdminToken() throws Exception {
        tenant.assign(tenant.addUser(employee("alice", "Engineering", "Engineer")));
        Map<String, String> settings = settings(dataDir);
        settings.put("graph.client-secret", "wrong-secret");
        String token = "admin-" + UUID.randomUUID();
        settings.put("admin.token", token);
        String base = "http://127.0.0.1:" + settings.get("admin.port");

        try (JarProcess engine = JarProcess.start(JarProcess.jar("boot.jar"), settings)) {
            // The initial cycle fails (Graph rejects the secret): the engine's last-cycle health check says why.
            await().atMost(RUN_LIMIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> get(base + "/observe/metrics", token).body()
                            .contains("provisioning_cycles_total{job=\"default\",result=\"failed\",type=\"initial\"} 1.0"));

            assertThat(get(base + "/api/status", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/observe/health", null).statusCode()).isEqualTo(401);
            HttpResponse<String> status = get(base + "/api/status", token);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            // The admin API's REST DSL and its OpenAPI document on Spring Boot's web server, behind the token too.
            assertThat(get(base + "/api/openapi.json", null).statusCode()).isEqualTo(401);
            HttpResponse<String> openApi = get(base + "/api/openapi.json", token);
            assertThat(openApi.statusCode()).as(openApi.body()).isEqualTo(200);
            assertThat(JSON.readTree(openApi.body()).path("paths").has("/api/status")).as(openApi.body()).isTrue();
            HttpResponse<String> health = get(base + "/observe/health", token);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            JsonNode camelHealth = JSON.readTree(health.body()).path("components").path("camelHealth");
            assertThat(camelHealth.path("status").asText()).as(health.body()).isEqualTo("DOWN");
            assertThat(camelHealth.path("details").path("last-cycle").asText()).as(health.body()).isEqualTo("DOWN");
            // (Camel Main's /observe/health also gives the check's message, the failed cycle's reason; Camel Spring
            // Boot's health indicator gives its state and data only.)
            assertThat(camelHealth.path("details").path("last-cycle.data").path("cycle.type").asText()).isEqualTo("initial");
            assertThat(health.body()).doesNotContain("wrong-secret");
            assertThat(get(base + "/observe/health/ready", token).statusCode()).isEqualTo(503);
            assertThat(get(base + "/observe/health/live", token).statusCode()).isEqualTo(200);
            assertThat(scim.requests()).isEmpty();

            engine.stop();
            assertThat(engine.awaitExit(RUN_LIMIT).exitCode()).as(engine.output()).isIn(0, 143);
        }
    }

    private Result runBoot(Map<String, String> settings) throws Exception {
        return runBoot(settings, Map.of());
    }

    private Result runBoot(Map<String, String> settings, Map<String, String> environment) throws Exception {
        return JarProcess.run(JarProcess.jar("boot.jar"), settings, environment, RUN_LIMIT);
    }

    private JsonNode target(String name) {
        return scim.userByUserName(upn(name)).orElseThrow(() -> new AssertionError(name + " is not in the target"));
    }

    /** The settings of a run against this test's tenant and target, as -D options. */
    private Map<String, String> settings(Path dir) {
        return Sandbox.testEngineSettings(graph, scim, dir, freePort());
    }

    private static Map<String, String> once(Map<String, String> settings) {
        settings.put("provisioning.once", "true");
        return settings;
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
