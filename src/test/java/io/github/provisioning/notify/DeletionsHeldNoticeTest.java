package io.github.provisioning.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.HeldDeletions;
import io.github.provisioning.state.StagedDeletion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the e-mail about held disables and deletes says, and that source values cannot add lines or markup. */
class DeletionsHeldNoticeTest {

    private static final Instant SINCE = Instant.parse("2026-01-05T10:00:00Z");

    private static StagedDeletion row(String id, String identity, String action, String reason) {
        return new StagedDeletion("user", id, action, action.equals("delete") ? "HARD_DELETED" : "LEFT_SCOPE", reason,
                identity, "t-" + id, "c1", SINCE, true, false);
    }

    @Test
    void namesTheCountsTheFirstUsersAndGroupsAndHowToDecide() {
        HeldDeletions held = new HeldDeletions("c1", 590, 10, 612, 500, SINCE, List.of(
                row("id-1", "u1@contoso.example", "disable", "no longer assigned to the application"),
                row("id-2", null, "delete", "deleted in Entra ID"),
                new StagedDeletion("group", "g-1", "delete", "SOFT_DELETED", "soft-deleted in Entra ID", "Sales",
                        "t-g-1", "c1", SINCE, true, false)));

        Notification mail = new Notifier(true, "engine", "hr", new CycleObjects(20)).deletionsHeld(held);

        assertThat(mail.kind()).isEqualTo(Notification.Kind.DELETIONS_HELD);
        assertThat(mail.kind().toString()).isEqualTo("deletions-held");
        assertThat(mail.subject())
                .isEqualTo("[engine] job hr: Provisioning paused: 612 disables and deletes held (threshold 500)");
        assertThat(mail.text()).startsWith("Job: hr\nEngine: engine\nCycle: c1\n");
        assertThat(mail.html()).contains("<h2>job hr (engine): provisioning paused</h2>");
        assertThat(mail.text()).contains("Cycle: c1", "disabled or deleted 600 objects (590 users, 10 groups)",
                "provisioning.deletion-threshold (500)", "612 disables and deletes are held since " + SINCE,
                "Held users and groups (the first 3 of 612):",
                "user id-1 (u1@contoso.example) disable: no longer assigned to the application",
                "user id-2 delete: deleted in Entra ID", "group g-1 (Sales) delete: soft-deleted in Entra ID",
                "POST /api/deletions/approve", "POST /api/deletions/reject");
        assertThat(mail.html()).contains("<td>user</td><td>id-1</td><td>u1@contoso.example</td><td>disable</td>",
                "<td>group</td><td>g-1</td><td>Sales</td><td>delete</td>", "/api/deletions/reject");
    }

    @Test
    void sourceValuesStayOnOneLineAndAreEscaped() {
        HeldDeletions held = new HeldDeletions("c1", 1, 0, 1, 0, SINCE, List.of(row("id-1",
                "<b>eve</b>@contoso.example\r\nBcc: evil@evil.test", "disable", "out of scope\nX-Evil: 1")));

        Notification mail = DeletionsHeldNotice.of(new NoticeOrigin("engine\r\nBcc: x@evil.test", "hr"), held);

        assertThat(mail.subject()).doesNotContain("\r", "\n");
        assertThat(mail.text()).contains("(<b>eve</b>@contoso.example  Bcc: evil@evil.test)",
                "disable: out of scope X-Evil: 1").doesNotContain("\nBcc:", "\nX-Evil");
        assertThat(mail.html()).contains("&lt;b&gt;eve&lt;/b&gt;").doesNotContain("<b>eve");
    }

    @Test
    void nothingWhenNotificationsAreOff() {
        HeldDeletions held = new HeldDeletions("c1", 4, 0, 4, 3, SINCE, List.of());

        assertThat(new Notifier(false, "engine", "hr", new CycleObjects(20)).deletionsHeld(held)).isNull();
    }
}
