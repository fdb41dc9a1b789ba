package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.github.provisioning.cycle.CycleReport;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarantine in the running engine: the schedule ticks every 300 ms, the target rejects the credentials or too many
 * objects, and the admin watches the status, the metrics and the e-mails (real SMTP, GreenMail) over HTTP.
 */
class QuarantineCycleTest extends EngineTest {

    private static final String OPS = TestMailServer.OPS;

    @RegisterExtension
    final TestMailServer mail = new TestMailServer();
    private Map<String, String> settings;
    private AdminClient admin;

    @BeforeEach
    void startEngineSettings() {
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        mail.configure(settings, true, OPS);
        settings.put("provisioning.interval", "300ms");
        admin = new AdminClient(settings.get("admin.port"), null);
        for (String name : List.of("adele", "brian", "chen", "dora")) {
            tenant.assign(tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
        }
    }

    @Test
    void rejectedCredentialsQuarantineTheJobWhichWaitsForItsNextAttemptAndLeavesQuarantineAfterACompletedCycle()
            throws Exception {
        settings.put("provisioning.quarantine.retry-delays", "1h");
        scim.failNext(1, 401, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport failed = engine.awaitInitialCycle();
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.error()).contains("rejected the credentials");
        JsonNode quarantine = awaitQuarantine();
        assertThat(quarantine.path("reason").asText()).isEqualTo("credentials");
        assertThat(quarantine.path("detail").asText()).isEqualTo(failed.error());
        Instant since = Instant.parse(quarantine.path("since").asText());
        assertThat(Instant.parse(quarantine.path("nextAttempt").asText())).isEqualTo(since.plus(Duration.ofHours(1)));
        assertThat(Instant.parse(quarantine.path("stopsAt").asText())).isEqualTo(since.plus(Duration.ofDays(28)));
        assertThat(quarantine.path("retries").asInt()).isZero();
        assertThat(quarantine.path("stopped").asBoolean()).isFalse();
        assertThat(quarantined()).isEqualTo(1);
        assertThat(admin.get("/observe/health/ready").statusCode()).isEqualTo(503);
        assertThat(admin.get("/observe/health/ready").body()).contains("quarantined (credentials) since");

        // The schedule ticks every 300 ms; in quarantine no tick runs a cycle before the next attempt (an hour):
        // nothing is sent to the target (a cycle would read the users again, its watermark having stayed), and the
        // failed cycle stays the last one.
        int requests = scim.requests().size();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> scim.requests().size()
                == requests);
        assertThat(admin.ok(admin.get("/api/status")).path("lastCycle").path("cycleId").asText())
                .isEqualTo(failed.cycleId());

        MimeMessage entered = awaitMail("quarantined");
        assertThat(entered.getSubject())
                .isEqualTo("[entra-provisioning] job default: Provisioning job quarantined (credentials)");
        assertThat(addresses(entered.getRecipients(Message.RecipientType.TO))).containsExactly(OPS);
        String body = GreenMailUtil.getWholeMessage(entered);
        assertThat(body).contains("Quarantine reason: credentials: the SCIM target or a token endpoint rejected the"
                + " credentials").contains("Next cycle: " + quarantine.path("nextAttempt").asText());
        assertNoSecretIn(body);

        // The admin fixed the credentials and starts the job: it tries at once, and the completed cycle ends it.
        assertThat(admin.ok(admin.post("/api/job/start")).path("state").asText()).isEqualTo("running");
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.ok(admin.get("/api/status")).path("quarantine")
                .isNull());
        assertThat(admin.ok(admin.get("/api/status")).path("lastCycle").path("state").asText()).isEqualTo("completed");
        assertThat(scim.users()).hasSize(4);
        assertThat(quarantined()).isZero();
        assertThat(admin.get("/observe/health/ready").statusCode()).isEqualTo(200);
        MimeMessage left = awaitMail("left quarantine");
        assertThat(left.getSubject())
                .isEqualTo("[entra-provisioning] job default: Provisioning job left quarantine (credentials)");
        assertNoSecretIn(GreenMailUtil.getWholeMessage(left));
        assertThat(mailSubjects()).filteredOn(s -> s.contains("quarantin")).hasSize(2);
    }

    @Test
    void aCycleWhereTooManyObjectsFailedQuarantinesTheJobUntilTheNextCycleRunsWell() throws Exception {
        settings.put("provisioning.quarantine.retry-delays", "0s");
        settings.put("provisioning.quarantine.min-failures", "2");
        // Three of the four users fail their match: 75 %, more than 40 % (match queries, not a listing first).
        settings.put("scim.match-index", "off");
        scim.failNext(3, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        // With no wait, the next tick may already have run the next cycle: the first one's report, from its file.
        JsonNode first = engine.firstReport();
        assertThat(first.path("state").asText()).isEqualTo("completed");
        assertThat(first.path("counts").path("failed").asInt()).isEqualTo(3);
        MimeMessage entered = awaitMail("quarantined");
        assertThat(entered.getSubject())
                .isEqualTo("[entra-provisioning] job default: Provisioning job quarantined (failure-rate)");
        assertThat(GreenMailUtil.getWholeMessage(entered)).contains("Cause: 3 of 4 objects failed in cycle "
                + first.path("cycleId").asText() + " (75 %; the limit is 40 % once 2 have failed)");

        // With no wait, the next tick runs a cycle; the failed users are retried, succeed, and the job leaves
        // quarantine by itself.
        awaitMail("left quarantine");
        assertThat(admin.ok(admin.get("/api/status")).path("quarantine").isNull()).isTrue();
        assertThat(scim.users()).hasSize(4);
        assertThat(mailSubjects()).filteredOn(s -> s.contains("quarantin")).containsExactly(
                "[entra-provisioning] job default: Provisioning job quarantined (failure-rate)",
                "[entra-provisioning] job default: Provisioning job left quarantine (failure-rate)");
    }

    @Test
    void aJobQuarantinedForTheLongestAllowedIsStoppedAndRestartEndsTheQuarantine() throws Exception {
        settings.put("provisioning.quarantine-max-days", "0");
        scim.failNext(1, 403, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        await().atMost(Duration.ofSeconds(10)).until(() -> engine.context().getRouteController()
                .getRouteStatus("default.cycle-schedule") == ServiceStatus.Stopped);
        JsonNode status = admin.ok(admin.get("/api/status"));
        assertThat(status.path("state").asText()).isEqualTo("stopped");
        assertThat(status.path("quarantine").path("stopped").asBoolean()).isTrue();
        assertThat(status.path("quarantine").path("nextAttempt").isNull()).isTrue();
        MimeMessage stopped = awaitMail("quarantined");
        assertThat(stopped.getSubject())
                .isEqualTo("[entra-provisioning] job default: Provisioning job quarantined (credentials) and stopped");
        assertThat(GreenMailUtil.getWholeMessage(stopped)).contains("Next cycle: none: the job is stopped");
        // The cycle stops the schedule and mails before it ends; a restart is refused (409) until it has ended.
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.ok(admin.get("/api/status")).path("cycle").isNull());

        JsonNode restarted = admin.ok(admin.post("/api/job/restart"));
        assertThat(restarted.path("quarantineCleared").asBoolean()).isTrue();
        assertThat(restarted.path("state").asText()).isEqualTo("stopped");
        assertThat(admin.ok(admin.get("/api/status")).path("quarantine").isNull()).isTrue();
        assertThat(admin.ok(admin.post("/api/job/restart")).path("quarantineCleared").asBoolean()).isFalse();

        admin.ok(admin.post("/api/job/start"));
        await().atMost(Duration.ofSeconds(30)).until(() -> scim.users().size() == 4);
        assertThat(admin.ok(admin.get("/api/status")).path("quarantine").isNull()).isTrue();
    }

    @Test
    void aCycleRequestQueuedWhileACycleRanDoesNotRunOnceThatCycleQuarantinedAndStoppedTheJob() throws Exception {
        settings.put("provisioning.interval", "24h");
        settings.put("provisioning.quarantine-max-days", "0");
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().completed()).isTrue();
        assertThat(admin.ok(admin.post("/api/job/restart")).path("restarted").asBoolean()).isTrue();
        scim.clearRequests();
        String requests = "seda:default.cycle-requests?size=1&waitForTaskToComplete=Never";
        NotifyBuilder bothTaken = new NotifyBuilder(engine.context()).fromRoute("default.cycle-runner").whenDone(2).create();

        // The initial cycle after the restart starts; a second request is queued while it runs (a tick that found no
        // cycle running yet, the moment after the runner took the first request). The target then rejects the
        // credentials: the cycle quarantines the job and stops it.
        try (CycleHold hold = CycleHold.before(engine.context(), "index-target-users")) {
            engine.context().createProducerTemplate().sendBody(requests, null);
            hold.awaitHeldCycle();
            engine.context().createProducerTemplate().sendBody(requests, null);
            scim.failNext(1, 403, null, "/Users");
        }
        assertThat(bothTaken.matches(60, TimeUnit.SECONDS)).as("the runner took both requests").isTrue();

        JsonNode quarantine = awaitQuarantine();
        assertThat(quarantine.path("reason").asText()).isEqualTo("credentials");
        assertThat(quarantine.path("stopped").asBoolean()).isTrue();
        assertThat(engine.firstReport().path("state").asText()).isEqualTo("completed");
        // awaitInitialCycle answers the newest report: the cycle that quarantined the job, no later one.
        assertThat(engine.awaitInitialCycle().state()).isEqualTo("failed");
        assertThat(writes()).as("no cycle ran after it").isEmpty();
    }

    /** The quarantine in /api/status: the cycle's report is out a moment before the quarantine is decided. */
    private JsonNode awaitQuarantine() {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> admin.ok(admin.get("/api/status")).path("quarantine"), q -> !q.isMissingNode() && !q.isNull());
    }

    private double quarantined() {
        return ObservabilityTest.value(admin.get("/observe/metrics").body(), "provisioning_quarantined",
                "job=\"default\"");
    }

    private MimeMessage awaitMail(String subjectPart) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Arrays.stream(mail.server().getReceivedMessages())
                .anyMatch(m -> subject(m).contains(subjectPart)));
        return Arrays.stream(mail.server().getReceivedMessages()).filter(m -> subject(m).contains(subjectPart)).findFirst()
                .orElseThrow();
    }

    private List<String> mailSubjects() {
        return Arrays.stream(mail.server().getReceivedMessages()).map(QuarantineCycleTest::subject).toList();
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertNoSecretIn(String text) {
        assertThat(text).doesNotContain(settings.get("scim.token")).doesNotContain(settings.get("graph.client-secret"))
                .doesNotContain(mail.password());
    }

    private static List<String> addresses(jakarta.mail.Address[] addresses) {
        return Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }
}
