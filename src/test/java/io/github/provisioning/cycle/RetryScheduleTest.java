package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.state.Escrow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryScheduleTest {

    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private final RetrySchedule schedule = new RetrySchedule(Duration.ofMinutes(30), Duration.ofHours(3), 10);

    @ParameterizedTest(name = "after failed attempt {0} the retry waits {1} minutes")
    @CsvSource({"1, 0", "2, 30", "3, 60", "4, 120", "5, 180", "9, 180"})
    void theFirstRetryIsInTheNextCycleThenTheWaitDoublesUpToTheMax(int attempts, long minutes) {
        Escrow escrow = schedule.afterFailure(attempts - 1, false, NOW);

        assertThat(escrow.attempts()).isEqualTo(attempts);
        assertThat(escrow.permanent()).isFalse();
        assertThat(escrow.nextRetry()).isEqualTo(NOW.plus(Duration.ofMinutes(minutes)));
    }

    @Test
    void theMaxAttemptsMakeTheFailurePermanent() {
        assertThat(schedule.afterFailure(9, false, NOW)).isEqualTo(new Escrow(10, null, true));
    }

    @Test
    void aFailureTheTargetDeclaresPermanentIsPermanentAtOnce() {
        assertThat(schedule.afterFailure(0, true, NOW)).isEqualTo(new Escrow(1, null, true));
    }

    @Test
    void theDefaultRetriesEveryNextCycle() {
        assertThat(RetrySchedule.DEFAULT.afterFailure(5, false, NOW).nextRetry()).isEqualTo(NOW);
    }

    @ParameterizedTest(name = "{0} {1} rejects the data: {2}")
    @CsvSource({"PATCH, 400, true", "POST, 400, true", "PUT, 422, true", "PATCH, 404, false", "POST, 409, false",
            "PATCH, 408, false", "PATCH, 429, false", "PATCH, 500, false", "GET, 400, false", "DELETE, 400, false"})
    void onlyAWriteTheTargetRejectsAsInvalidIsPermanent(String method, int status, boolean permanent) {
        io.github.provisioning.scim.ScimRequest request =
                new io.github.provisioning.scim.ScimRequest(method, "/Users/1", null, null);
        assertThat(ObjectPlan.rejectsTheData(request, status)).isEqualTo(permanent);
    }
}
