package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * admin.token: off loopback it is required and every admin endpoint checks it. The engine binds 0.0.0.0 here, but
 * the test only ever connects through 127.0.0.1.
 */
class AdminAuthTest extends EngineTest {

    private final String token = "admin-" + UUID.randomUUID();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger root;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(logs);
    }

    private Map<String, String> settings(String host, String adminToken) {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("admin.host", host);
        settings.put("admin.token", adminToken);
        return settings;
    }

    @Test
    void offLoopbackEveryEndpointWantsTheBearerToken() throws Exception {
        Map<String, String> settings = settings("0.0.0.0", token);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String port = settings.get("admin.port");
        AdminClient anonymous = new AdminClient(port, null);
        AdminClient wrong = new AdminClient(port, "Bearer " + token + "x");
        AdminClient basic = new AdminClient(port, "Basic " + token);
        AdminClient right = new AdminClient(port, "Bearer " + token);

        for (AdminClient refused : new AdminClient[] {anonymous, wrong, basic}) {
            for (HttpResponse<String> response : new HttpResponse[] {refused.get("/api/status"),
                    refused.get("/api/logs"), refused.post("/api/job/stop"), refused.post("/api/job/start"),
                    refused.post("/api/job/restart"), refused.post("/api/job/dry-run"),
                    refused.post("/api/preview", "{}"),
                    refused.post("/api/expressions/evaluate", "{}"), refused.post("/api/test-connection"),
                    refused.post("/api/provision/users/x"), refused.get("/api/preview/users/x"),
                    refused.get("/api/deletions"),
                    refused.post("/api/deletions/approve"), refused.post("/api/deletions/reject"),
                    refused.get("/api/cycles"), refused.get("/api/escrow"), refused.get("/api/openapi.json"),
                    refused.get("/observe/metrics")}) {
                assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                        assertThat(v).startsWith("Bearer"));
                assertThat(AdminClient.json(response).path("error").path("message").asText()).contains("Bearer");
            }
        }
        assertThat(right.ok(right.get("/api/status")).path("state").asText()).isEqualTo("running");
        assertThat(right.ok(right.post("/api/test-connection")).path("ok").asBoolean()).isTrue();
        assertThat(right.ok(right.get("/api/deletions")).path("held").asInt()).isZero();
        assertThat(right.ok(right.get("/api/cycles")).path("cycles").isArray()).isTrue();
        assertThat(right.ok(right.get("/api/openapi.json")).path("openapi").asText()).startsWith("3.");
        // Through the check: the endpoint itself answers (nothing is held to approve).
        assertThat(right.post("/api/deletions/approve").statusCode()).isEqualTo(409);
        // A refused request changed nothing: the job still runs.
        assertThat(engine.context().getRouteController().getRouteStatus("default.cycle-schedule").isStarted()).isTrue();
        assertThat(logs.list).noneMatch(event -> event.getFormattedMessage().contains(token));
    }

    @Test
    void theLivenessAndReadinessProbesAnswerWithoutTheToken() throws Exception {
        // Kubernetes' httpGet probes (deploy/kubernetes) cannot send a secret.
        Map<String, String> settings = settings("0.0.0.0", token);
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        AdminClient anonymous = new AdminClient(settings.get("admin.port"), null);

        for (String probe : new String[] {"/observe/health/live", "/observe/health/ready",
                "/observe/health/ready?exposureLevel=full"}) {
            HttpResponse<String> response = anonymous.get(probe);
            assertThat(response.statusCode()).as(probe).isEqualTo(200);
            // the state, not the checks
            assertThat(AdminClient.json(response).path("status").asText()).as(probe).isEqualTo("UP");
            assertThat(response.body()).as(probe).doesNotContain("checks");
        }
        AdminClient right = new AdminClient(settings.get("admin.port"), "Bearer " + token);
        assertThat(right.get("/observe/health/ready?exposureLevel=full").body()).contains("last-cycle");
        // The rest of /observe stays guarded, also a path that names a probe on its way elsewhere, and a POST.
        for (HttpResponse<String> response : new HttpResponse[] {anonymous.get("/observe/health"),
                anonymous.get("/observe/metrics"), anonymous.get("/observe/health/live/../../metrics"),
                anonymous.get("/observe/health/ready/"), anonymous.post("/observe/health/live")}) {
            assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(401);
        }
    }

    @Test
    void aProbeWithoutTheTokenSaysDownButNotWhy() throws Exception {
        Map<String, String> settings = settings("127.0.0.1", token);
        settings.put("graph.client-secret", "wrong-" + settings.get("graph.client-secret"));
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().completed()).isFalse();
        AdminClient anonymous = new AdminClient(settings.get("admin.port"), null);

        HttpResponse<String> ready = anonymous.get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(AdminClient.json(ready).path("status").asText()).isEqualTo("DOWN");
        assertThat(ready.body()).doesNotContain("last-cycle").doesNotContain("AADSTS");
        assertThat(anonymous.get("/observe/health/live").statusCode()).isEqualTo(200);
        // with the token, the reason
        assertThat(new AdminClient(settings.get("admin.port"), "Bearer " + token).get("/observe/health/ready").body())
                .contains("AADSTS7000215");
    }

    @Test
    void onLoopbackASetTokenIsRequiredToo() throws Exception {
        Map<String, String> settings = settings("127.0.0.1", token);
        engine = EngineUnderTest.start(settings, dataDir);

        assertThat(new AdminClient(settings.get("admin.port"), null).get("/api/status").statusCode()).isEqualTo(401);
        assertThat(new AdminClient(settings.get("admin.port"), "Bearer " + token).get("/api/status").statusCode())
                .isEqualTo(200);
    }

    @Test
    void onlyTheStatusPageFilesLoadWithoutTheToken() throws Exception {
        Map<String, String> settings = settings("127.0.0.1", token);
        engine = EngineUnderTest.start(settings, dataDir);
        AdminClient anonymous = new AdminClient(settings.get("admin.port"), null);

        Map<String, String> pageFiles = Map.of("/", "text/html", "/page.css", "text/css", "/page.js", "text/javascript");
        pageFiles.forEach((path, contentType) -> {
            HttpResponse<String> file = anonymous.get(path);
            assertThat(file.statusCode()).as(path).isEqualTo(200);
            assertThat(file.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(v ->
                    assertThat(v).startsWith(contentType));
            assertThat(file.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
            assertThat(file.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(v ->
                    assertThat(v).contains("default-src 'none'").contains("connect-src 'self'"));
            assertThat(file.body()).as(path).isNotBlank().doesNotContain(token);
        });
        assertThat(anonymous.get("/").body()).contains("<title>Provisioning status</title>");
        // Every other path stays guarded, also one that names a page file on its way to the API, and a POST.
        for (HttpResponse<String> response : new HttpResponse[] {anonymous.get("/api/status"),
                anonymous.get("/page.js/../api/status"), anonymous.get("//api/status"),
                anonymous.get("/api/status/../../page.js"), anonymous.get("/index.html"),
                anonymous.get("/api/escrow"), anonymous.post("/"), anonymous.post("/page.js")}) {
            assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(401);
        }
        assertThat(new AdminClient(settings.get("admin.port"), "Bearer " + token).get("/").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aWebPageOfAnotherOriginChangesNothingEvenWithoutAToken() throws Exception {
        Map<String, String> settings = settings("127.0.0.1", "");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        String port = settings.get("admin.port");
        AdminClient admin = new AdminClient(port, null);

        for (String origin : new String[] {"http://attacker.example", "null", "http://127.0.0.1:" + port + ".evil",
                "http://localhost:" + port}) {
            HttpResponse<String> stop = admin.postFrom(origin, "/api/job/stop");
            assertThat(stop.statusCode()).as(origin).isEqualTo(403);
            assertThat(AdminClient.json(stop).path("error").path("message").asText()).contains("another origin");
        }
        assertThat(engine.context().getRouteController().getRouteStatus("default.cycle-schedule").isStarted()).isTrue();
        // Reads are not refused; the page's own origin, and a script that sends no Origin, may write.
        assertThat(admin.ok(admin.get("/api/status")).path("state").asText()).isEqualTo("running");
        assertThat(admin.ok(admin.postFrom("http://127.0.0.1:" + port, "/api/job/stop")).path("state").asText())
                .isEqualTo("stopped");
        assertThat(admin.ok(admin.post("/api/job/start")).path("state").asText()).isEqualTo("running");
    }

    @Test
    void offLoopbackWithoutATokenTheEngineDoesNotStart() {
        assertThatThrownBy(() -> engine = EngineUnderTest.start(settings("0.0.0.0", ""), dataDir))
                .hasMessageContaining("Setting admin.token is required")
                .hasMessageContaining("0.0.0.0");
    }
}
