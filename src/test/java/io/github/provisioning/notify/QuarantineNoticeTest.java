package io.github.provisioning.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.state.QuarantineState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuarantineNoticeTest {

    private static final Instant SINCE = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void theSubjectAndTheFirstLinesNameTheEngineAndTheJob() {
        QuarantineState state = new QuarantineState(Quarantine.CREDENTIALS, "401 from the SCIM target", SINCE, 0,
                SINCE.plusSeconds(3600), false);

        Notification mail = new Notifier(true, "engine", "hr", new CycleObjects(20))
                .quarantine(new Quarantine.Change(Quarantine.Change.Kind.ENTERED, state, null, SINCE.plusSeconds(86400)));

        assertThat(mail.subject()).isEqualTo("[engine] job hr: Provisioning job quarantined (credentials)");
        assertThat(mail.text()).startsWith("Job: hr\nEngine: engine\nQuarantine reason: credentials");
        assertThat(mail.html()).contains("<tr><th align=\"left\">Job</th><td>hr</td></tr>");
    }
}
