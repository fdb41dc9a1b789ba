package io.github.provisioning.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.LogEntry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the digest says and when, from a cycle report and the log lines of its cycle. */
class CycleDigestTest {

    private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");

    private final CycleObjects objects = new CycleObjects(2);
    private final Notifier notifier = new Notifier(true, "engine", "hr", objects);

    @Test
    void listsTheFirstFailuresAndCountsTheRest() {
        for (int i = 1; i <= 3; i++) {
            objects.record(failure("c1", "id-" + i, "u" + i + "@contoso.example"));
        }
        objects.record(line("c1", "create", "success", "id-9", "ok@contoso.example", null));

        Notification mail = notifier.cycleDigest(report("c1", "completed", null, 3));

        assertThat(mail.text()).contains("Failed objects (the first 2 of 3):", "user id-1 (u1@contoso.example) create:"
                + " ScimRequestRejected: 400 invalidValue", "user id-2 (u2@contoso.example)", "user create failure: 3",
                "user create success: 1").doesNotContain("id-3");
        assertThat(mail.subject()).isEqualTo("[engine] job hr: Provisioning cycle (incremental) completed with 3"
                + " failed objects: created=1 failed=3");
        assertThat(mail.text()).startsWith("Job: hr\nEngine: engine\nCycle: c1 (incremental)\n");
        assertThat(mail.html()).contains("<h2>job hr (engine): provisioning cycle completed</h2>");
    }

    @Test
    void atMostOneDigestPerCycleAndNoneWithoutFailures() {
        objects.record(failure("c1", "id-1", "u1@contoso.example"));
        CycleReport failed = report("c1", "completed", null, 1);

        assertThat(notifier.cycleDigest(failed)).isNotNull();
        assertThat(notifier.cycleDigest(failed)).isNull();
        assertThat(notifier.cycleDigest(report("c2", "completed", null, 0))).isNull();
        assertThat(notifier.cycleDigest(report("c3", "failed", "Graph answered 503", 0)).text())
                .contains("Result: failed: Graph answered 503");
    }

    @Test
    void offWhenNoRecipientsButTheCycleIsStillForgotten() {
        Notifier off = new Notifier(false, "engine", "hr", objects);
        objects.record(failure("c1", "id-1", "u1@contoso.example"));

        assertThat(off.cycleDigest(report("c1", "completed", null, 1))).isNull();
        assertThat(objects.take("c1").failed()).isZero();
    }

    @Test
    void markupAndLineBreaksFromSourceDataAreNeutralised() {
        objects.record(failure("c1", "id-1", "<img src=x onerror=alert(1)>\r\nBcc: evil@evil.test"));

        Notification mail = notifier.cycleDigest(report("c1", "completed", null, 1));

        assertThat(mail.html()).contains("&lt;img src=x onerror=alert(1)&gt;  Bcc: evil@evil.test")
                .doesNotContain("<img");
        assertThat(mail.text()).doesNotContain("\r").contains("<img src=x onerror=alert(1)>  Bcc: evil@evil.test");
        assertThat(new Notification(Notification.Kind.CYCLE_DIGEST, "a\r\nBcc: b", "", "").subject())
                .isEqualTo("a  Bcc: b");
    }

    private static CycleReport report(String id, String state, String error, int failed) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("created", 1);
        counts.put("failed", failed);
        return new CycleReport(id, "incremental", START, START.plusSeconds(2), 2000, counts, state, error, 1);
    }

    private static LogEntry failure(String cycle, String id, String upn) {
        return line(cycle, "create", "failure", id, upn, new LogEntry.Error("ScimRequestRejected", "400 invalidValue"));
    }

    private static LogEntry line(String cycle, String action, String status, String id, String upn, LogEntry.Error error) {
        return new LogEntry(START, cycle, "ch", "user", action, status, id, upn, null, null, List.of(), error, 5,
                List.of());
    }
}
