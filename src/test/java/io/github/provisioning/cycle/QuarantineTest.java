package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.graph.GraphCredentialsException;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.state.QuarantineState;

import io.github.provisioning.state.JobStateStore;
import io.github.provisioning.state.TestDatabase;
import io.github.provisioning.state.TestStores;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelExchangeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Entra's quarantine rules, kept in a real state store (H2 and PostgreSQL) and driven by a clock the test moves:
 * entry on rejected credentials or too many failures, the 6h/12h/24h/daily back-off, one change per reason, the stop
 * after the longest quarantine, the way out, and the admin's retry and clear.
 */
class QuarantineTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");
    private static final Quarantine.Policy ENTRA = Quarantine.Policy.of(name -> Optional.empty());

    @RegisterExtension
    final TestStores stores = new TestStores();
    private Instant now = T0;
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    private JobStateStore store(TestDatabase.Kind kind) {
        return stores.state(kind).jobState();
    }

    @Test
    void withoutSettingsThePolicyIsEntras() {
        assertThat(ENTRA.retryDelays()).containsExactly(Duration.ofHours(6), Duration.ofHours(12),
                Duration.ofHours(24));
        assertThat(ENTRA.maxDuration()).isEqualTo(Duration.ofDays(28));
        assertThat(ENTRA.failureRatePercent()).isEqualTo(40);
        assertThat(ENTRA.minFailures()).isEqualTo(5000);
        assertThat(ENTRA.maxFailures()).isEqualTo(40_000);
    }

    @Test
    void aBadSettingIsNamed() {
        assertThatThrownBy(() -> Quarantine.Policy.of(settings(Quarantine.Policy.RETRY_DELAYS, "6h,soon")))
                .hasMessageContaining("provisioning.quarantine.retry-delays").hasMessageContaining("6h,soon");
        assertThatThrownBy(() -> Quarantine.Policy.of(settings(Quarantine.Policy.MAX_DAYS, "-1")))
                .hasMessageContaining("provisioning.quarantine-max-days").hasMessageContaining("-1");
        assertThatThrownBy(() -> Quarantine.Policy.of(settings(Quarantine.Policy.FAILURE_RATE_PERCENT, "140")))
                .hasMessageContaining("provisioning.quarantine.failure-rate-percent");
        assertThatThrownBy(() -> Quarantine.Policy.of(settings(Quarantine.Policy.MIN_FAILURES, "many")))
                .hasMessageContaining("provisioning.quarantine.min-failures").hasMessageContaining("many");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void rejectedCredentialsQuarantineTheJobWhichThenRunsAfter6h12h24hAndDaily(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = new Quarantine(state, ENTRA, clock);
        assertThat(quarantine.due()).isTrue();

        // Camel wraps the cause; the chain is searched.
        Quarantine.Change entered = quarantine.afterCycle(failed("c1", "the SCIM target rejected the credentials"),
                new CamelExchangeException("split failed", null,
                        new ScimCredentialsException("the SCIM target rejected the credentials (401)")));
        assertThat(entered.kind()).isEqualTo(Quarantine.Change.Kind.ENTERED);
        assertThat(entered.stopsJob()).isFalse();
        assertThat(state.quarantine()).contains(new QuarantineState(Quarantine.CREDENTIALS,
                "the SCIM target rejected the credentials", T0, 0, T0.plus(Duration.ofHours(6)), false));

        now = T0.plus(Duration.ofHours(6)).minusSeconds(1);
        assertThat(quarantine.due()).isFalse();
        now = T0.plus(Duration.ofHours(6));
        assertThat(quarantine.due()).isTrue();

        // The same reason again: no change to tell, only a later attempt: 12h, 24h, then every 24h.
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertThat(quarantine.afterCycle(failed("c" + i, "401 again"), new ScimCredentialsException("401")))
                    .isNull();
            QuarantineState q = state.quarantine().orElseThrow();
            waits.add(Duration.between(now, q.nextAttempt()));
            now = q.nextAttempt();
        }
        assertThat(waits).containsExactly(Duration.ofHours(12), Duration.ofHours(24), Duration.ofHours(24),
                Duration.ofHours(24));
        assertThat(state.quarantine().orElseThrow().retries()).isEqualTo(4);
        assertThat(state.quarantine().orElseThrow().since()).isEqualTo(T0);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aGraphTokenRejectionIsACredentialsQuarantineButAnUnreachableGraphIsNot(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = new Quarantine(state, ENTRA, clock);
        assertThat(quarantine.afterCycle(failed("c1", "Graph unreachable"), new java.io.IOException("refused")))
                .isNull();
        assertThat(state.quarantine()).isEmpty();

        Quarantine.Change change = quarantine.afterCycle(failed("c2", "Graph answered 401 invalid_client"),
                new GraphCredentialsException(401, "invalid_client", "AADSTS7000215"));
        assertThat(change.kind()).isEqualTo(Quarantine.Change.Kind.ENTERED);
        assertThat(change.state().reason()).isEqualTo(Quarantine.CREDENTIALS);

        // In quarantine, another kind of failed cycle keeps it, one attempt further, and tells nothing.
        now = change.state().nextAttempt();
        assertThat(quarantine.afterCycle(failed("c3", "Graph unreachable"), new java.io.IOException("refused")))
                .isNull();
        assertThat(state.quarantine().orElseThrow().retries()).isEqualTo(1);
        assertThat(state.quarantine().orElseThrow().reason()).isEqualTo(Quarantine.CREDENTIALS);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void moreThan40PercentFailedQuarantinesOnlyFromTheMinimumCountOnAndAnyShareAboveTheLimit(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = new Quarantine(state, ENTRA, clock);
        // 80 % failed, but fewer than 5,000 failures: not judged.
        assertThat(quarantine.afterCycle(completed("c1", 1000, 4000), null)).isNull();
        // 5,000 failures that are exactly 40 %: not more than 40 %.
        assertThat(quarantine.afterCycle(completed("c2", 7500, 5000), null)).isNull();
        assertThat(state.quarantine()).isEmpty();

        Quarantine.Change rate = quarantine.afterCycle(completed("c3", 7000, 5000), null);
        assertThat(rate.kind()).isEqualTo(Quarantine.Change.Kind.ENTERED);
        assertThat(rate.state().reason()).isEqualTo(Quarantine.FAILURE_RATE);
        assertThat(rate.state().detail()).isEqualTo("5000 of 12000 objects failed in cycle c3 (41 %; the limit is"
                + " 40 % once 5000 have failed)");

        // Over 40,000 failures the share does not matter; the reason changes, and that is told.
        now = rate.state().nextAttempt();
        Quarantine.Change count = quarantine.afterCycle(completed("c4", 100_000, 40_001), null);
        assertThat(count.kind()).isEqualTo(Quarantine.Change.Kind.REASON_CHANGED);
        assertThat(count.previous().reason()).isEqualTo(Quarantine.FAILURE_RATE);
        assertThat(count.state().reason()).isEqualTo(Quarantine.FAILURE_COUNT);
        assertThat(count.state().since()).isEqualTo(T0);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCompletedCycleEndsTheQuarantine(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = quarantinedByCredentials(state);
        now = T0.plus(Duration.ofHours(6));

        Quarantine.Change left = quarantine.afterCycle(completed("c2", 20, 1), null);
        assertThat(left.kind()).isEqualTo(Quarantine.Change.Kind.LEFT);
        assertThat(left.stopsJob()).isFalse();
        assertThat(state.quarantine()).isEmpty();
        assertThat(quarantine.due()).isTrue();
        // Nothing more to tell after it.
        assertThat(quarantine.afterCycle(completed("c3", 20, 0), null)).isNull();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void after28DaysInQuarantineTheJobIsStoppedAndAnAdminStartTriesAgainAtOnce(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = quarantinedByCredentials(state);
        int cycles = 1;
        Quarantine.Change change = null;
        while (change == null) {
            now = state.quarantine().orElseThrow().nextAttempt();
            assertThat(quarantine.due()).isTrue();
            change = quarantine.afterCycle(failed("c" + ++cycles, "401"), new ScimCredentialsException("401"));
        }
        assertThat(change.kind()).isEqualTo(Quarantine.Change.Kind.STOPPED);
        assertThat(change.stopsJob()).isTrue();
        assertThat(now).isAfterOrEqualTo(T0.plus(Duration.ofDays(28))).isBefore(T0.plus(Duration.ofDays(29)));
        // The first cycle, then after 6h, 12h and 24h (42h), then daily until 28 days have passed (690h).
        assertThat(cycles).isEqualTo(1 + 3 + 27);
        assertThat(quarantine.due()).isFalse();
        now = now.plus(Duration.ofDays(5));
        assertThat(quarantine.due()).isFalse();

        quarantine.retryNow();
        QuarantineState retried = state.quarantine().orElseThrow();
        assertThat(retried.stopped()).isFalse();
        assertThat(retried.nextAttempt()).isEqualTo(now);
        assertThat(retried.since()).as("another 28 days from the admin's start").isEqualTo(now);
        assertThat(quarantine.due()).isTrue();

        assertThat(quarantine.clear()).isTrue();
        assertThat(state.quarantine()).isEmpty();
        assertThat(quarantine.clear()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void withNoDaysAllowedTheJobStopsAsItEntersQuarantine(TestDatabase.Kind kind) {
        JobStateStore state = store(kind);
        Quarantine quarantine = new Quarantine(state,
                Quarantine.Policy.of(settings(Quarantine.Policy.MAX_DAYS, "0")), clock);
        Quarantine.Change change = quarantine.afterCycle(failed("c1", "401"), new ScimCredentialsException("401"));
        assertThat(change.kind()).isEqualTo(Quarantine.Change.Kind.ENTERED);
        assertThat(change.stopsJob()).isTrue();
        assertThat(quarantine.due()).isFalse();
    }

    @Test
    void aCompletedCycleIsNeverACredentialsQuarantineWhateverExceptionItHandledOnTheWay() throws Exception {
        JobStateStore state = store(TestDatabase.Kind.H2);
        Quarantine quarantine = new Quarantine(state, ENTRA, clock);
        assertThat(quarantine.afterCycle(completed("c1", 10, 0), new ScimCredentialsException("401"))).isNull();
        assertThat(state.quarantine()).isEmpty();
    }

    /** Entra's policy, and a job that entered quarantine at T0 for rejected credentials. */
    private Quarantine quarantinedByCredentials(JobStateStore state) {
        Quarantine quarantine = new Quarantine(state, ENTRA, clock);
        assertThat(quarantine.afterCycle(failed("c1", "401"), new ScimCredentialsException("401")).kind())
                .isEqualTo(Quarantine.Change.Kind.ENTERED);
        return quarantine;
    }

    private static java.util.function.Function<String, Optional<String>> settings(String name, String value) {
        return n -> n.equals(name) ? Optional.of(value) : Optional.empty();
    }

    private CycleReport failed(String id, String error) {
        return new CycleReport(id, "incremental", now, now, 0, Map.of(), "failed", error, 0);
    }

    /** Users and groups: the succeeded ones split between both, the failed ones too. */
    private CycleReport completed(String id, int succeeded, int failed) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("created", succeeded / 2);
        counts.put("updated", succeeded - succeeded / 2 - 1);
        counts.put("failed", failed - failed / 3);
        counts.put("permanent", failed - failed / 3);
        counts.put("groups.skipped", 1);
        counts.put("groups.failed", failed / 3);
        return new CycleReport(id, "incremental", now, now, 0, counts, "completed", null, 0);
    }
}
