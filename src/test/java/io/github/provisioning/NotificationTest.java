package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.github.provisioning.cycle.CycleReport;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The digest e-mail, sent over real SMTP to a GreenMail server on loopback: one after a cycle with failed objects
 * or a failed cycle, none after a clean one, never a header from source data or a secret, and a mail server that
 * fails never holds or fails the cycle.
 */
class NotificationTest extends EngineTest {

    private static final String OPS = TestMailServer.OPS;
    private static final String ONCALL = TestMailServer.ONCALL;
    private static final String LOGIN = TestMailServer.LOGIN;

    @RegisterExtension
    final TestMailServer mail = new TestMailServer();
    private GreenMail smtp;
    private String smtpPassword;
    private Map<String, String> settings;

    @BeforeEach
    void configureMail() {
        smtp = mail.server();
        smtpPassword = mail.password();
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        // The injected 400 fails the first user's match query, not the initial cycle's listing of the target.
        settings.put("scim.match-index", "off");
        mail.configure(settings, false, OPS, ONCALL);
    }

    @Test
    void aCycleWithFailedObjectsSendsOneDigestWithCountsAndTheFailuresInTextAndHtml() throws Exception {
        assign("ann", "bob");
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();
        assertThat(report.counts()).containsEntry("created", 1).containsEntry("failed", 1);
        JsonNode failed = engine.logLines().stream().filter(l -> l.path("status").asText().equals("failure"))
                .findFirst().orElseThrow();

        MimeMessage mail = awaitMails(2).get(0);
        assertThat(mail.getSubject()).isEqualTo("[entra-provisioning] job default: Provisioning cycle (initial)"
                + " completed with 1 failed object: created=1 updated=0 disabled=0 deleted=0 skipped=0 failed=1"
                + " permanent=0");
        assertThat(addresses(mail.getRecipients(Message.RecipientType.TO))).containsExactly(OPS, ONCALL);
        assertThat(addresses(mail.getFrom())).containsExactly("provisioning@example.org");
        assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getMessageID).containsOnly(mail.getMessageID());
        assertThat(mail.getContentType()).startsWith("multipart/alternative");

        String text = part(mail, "text/plain");
        assertThat(text.lines().limit(2)).containsExactly("Job: default", "Engine: entra-provisioning");
        assertThat(text).contains("Cycle: " + report.cycleId() + " (initial)", "Result: completed",
                "Started: " + report.start(), "Ended: " + report.end(), "user create success: 1",
                "user other failure: 1", failed.path("sourceId").asText(), failed.path("sourceIdentity").asText(),
                "400");
        String html = part(mail, "text/html");
        assertThat(html).contains(report.cycleId(), failed.path("sourceId").asText(),
                failed.path("sourceIdentity").asText(), "<td>other</td>", "400");
        assertThat(GreenMailUtil.getWholeMessage(mail)).doesNotContain(graph.config().clientSecret(),
                scim.config().bearerToken(), smtpPassword, "Bearer");
    }

    @Test
    void aCleanCycleSendsNothingAndAFailedCycleSendsItsReason() throws Exception {
        assign("ann");
        settings.put("graph.max-attempts", "2");
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("failed", 0);

        // Graph fails every attempt of a request: the cycle fails, naming the request and Graph's last answer.
        graph.failNext(2, 503, null);
        CycleReport failed = engine.runCycle();
        assertThat(failed.completed()).isFalse();

        // One queue, sent in order: had the clean cycle queued a digest, it would arrive first.
        MimeMessage mail = awaitMails(2).get(0);
        assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getMessageID).containsOnly(mail.getMessageID());
        assertThat(mail.getSubject())
                .startsWith("[entra-provisioning] job default: Provisioning cycle (incremental) failed");
        assertThat(part(mail, "text/plain")).contains("Cycle: " + failed.cycleId(), "Result: failed: " + failed.error());
        assertThat(failed.error()).startsWith("GET /v1.0/").contains("failed after 2 attempts; the last answer: 503"
                + " serviceNotAvailable");
        assertThat(GreenMailUtil.getWholeMessage(mail)).doesNotContain(graph.config().clientSecret(),
                scim.config().bearerToken());
    }

    @Test
    void sourceValuesCannotAddHeadersOrMarkup() throws Exception {
        Map<String, Object> eve = Contoso.employee("eve", "Sales", "Buyer");
        eve.put("userPrincipalName", "eve<b>@contoso.example\r\nBcc: evil@evil.test");
        eve.put("displayName", "Eve\r\nBcc: evil@evil.test");
        tenant.assign(tenant.addUser(eve));
        scim.failNext(1, 400, null, "/Users");
        settings.put("notify.to", OPS);
        engine = EngineUnderTest.start(settings, dataDir);
        assertThat(engine.awaitInitialCycle().counts()).containsEntry("failed", 1);

        MimeMessage mail = awaitMails(1).get(0);

        assertThat(mail.getHeader("Bcc")).isNull();
        assertThat(addresses(mail.getAllRecipients())).containsExactly(OPS);
        assertThat(smtp.getReceivedMessagesForDomain("evil.test")).isEmpty();
        assertThat(mail.getSubject()).doesNotContain("\r", "\n");
        assertThat(part(mail, "text/plain")).contains("eve<b>@contoso.example  Bcc: evil@evil.test")
                .doesNotContain("\r\nBcc: evil@evil.test").doesNotContain("\nBcc: evil@evil.test");
        assertThat(part(mail, "text/html")).contains("eve&lt;b&gt;@contoso.example  Bcc: evil@evil.test").doesNotContain("<b>");
    }

    @Test
    void aMailServerThatIsDownFailsNeitherTheCycleNorTheNext() throws Exception {
        assign("ann", "bob");
        smtp.stop();
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();
        assertThat(report.completed()).isTrue();
        assertThat(report.counts()).containsEntry("failed", 1);
        awaitNotifications("failed", 1);

        assertThat(engine.runCycle().completed()).isTrue();
    }

    @Test
    void theLoginReachesTheServerAndAWrongPasswordIsRefused() throws Exception {
        assign("ann");
        settings.put("notify.to", OPS);
        settings.put("mail.smtp.username", LOGIN);
        settings.put("mail.smtp.password", "wrong-" + smtpPassword);
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();
        awaitNotifications("failed", 1);
        assertThat(smtp.getReceivedMessages()).isEmpty();
        engine.close();
        engine = null;

        settings.put("mail.smtp.password", smtpPassword);
        settings.put("admin.port", String.valueOf(EngineUnderTest.freePort()));
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);
        engine.awaitInitialCycle();

        assertThat(awaitMails(1)).hasSize(1);
        awaitNotifications("sent", 1);
    }

    @Test
    void startTlsIsRequiredWhenSetSoAServerWithoutItGetsNothing() throws Exception {
        assign("ann");
        settings.put("mail.smtp.starttls", "true");
        scim.failNext(1, 400, null, "/Users");
        engine = EngineUnderTest.start(settings, dataDir);

        assertThat(engine.awaitInitialCycle().completed()).isTrue();

        awaitNotifications("failed", 1);
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void onceSendsTheDigestBeforeExitingAndLogsNoPassword() throws Exception {
        assign("ann");
        scim.failNext(1, 400, null, "/Users");
        Map<String, String> once = new HashMap<>(settings);
        once.put("provisioning.once", "true");
        once.put("notify.to", OPS);
        once.put("mail.smtp.username", LOGIN);
        once.put("mail.smtp.password", smtpPassword);

        ApplicationProcess.Result result = ApplicationProcess.run(once);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(result.output()).contains("Sent the cycle-digest e-mail to " + OPS).doesNotContain(smtpPassword);
    }

    @Test
    void aMissingMailHostIsNamedAtStartUp() throws Exception {
        Map<String, String> once = new HashMap<>(settings);
        once.put("provisioning.once", "true");
        once.remove("mail.smtp.host");
        once.remove("notify.from");

        ApplicationProcess.Result result = ApplicationProcess.run(once);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Missing required settings: notify.from (needed by notify.to),"
                + " mail.smtp.host (needed by notify.to)");
        assertThat(graph.requests()).isEmpty();
    }

    private void assign(String... names) {
        for (String name : names) {
            tenant.assign(tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
        }
    }

    /** Waits for {@code deliveries} (GreenMail keeps one per recipient) and answers them. */
    private List<MimeMessage> awaitMails(int deliveries) {
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= deliveries);
        return List.of(smtp.getReceivedMessages());
    }

    /** Waits until the metrics count {@code count} e-mails with that result. */
    private void awaitNotifications(String result, int count) {
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create("http://127.0.0.1:" + settings.get("admin.port") + "/observe/metrics");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ObservabilityTest.value(
                http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body(),
                "provisioning_notifications_total",
                "job=\"default\",kind=\"cycle-digest\",result=\"" + result + "\"")).isEqualTo(count));
    }

    static List<String> addresses(jakarta.mail.Address[] addresses) {
        return Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }

    static String part(Part mail, String type) throws Exception {
        Multipart parts = (Multipart) mail.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            if (parts.getBodyPart(i).isMimeType(type)) {
                return (String) parts.getBodyPart(i).getContent();
            }
        }
        throw new AssertionError("no " + type + " part");
    }
}
