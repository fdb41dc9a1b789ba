package io.github.provisioning.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.RunOutcome;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class LastCycleHealthCheckTest {

    @Test
    void aDryRunThatFailedLeavesTheHealthOfTheLastRealCycle() {
        RunOutcome outcome = new RunOutcome();
        LastCycleHealthCheck check = new LastCycleHealthCheck("last-cycle", outcome);
        check.setCamelContext(new DefaultCamelContext());
        outcome.record(new CycleReport("real", "initial", Instant.EPOCH, Instant.EPOCH, 0, Map.of(), "completed",
                null, 0, CycleReport.GraphRetries.NONE, null));
        outcome.record(new CycleReport("dry", "incremental", Instant.EPOCH, Instant.EPOCH, 0, Map.of(), "failed",
                "Graph unreachable", 0, CycleReport.GraphRetries.NONE, true));

        HealthCheck.Result result = check.call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getMessage()).contains("cycle real completed");
        assertThat(outcome.last().cycleId()).isEqualTo("dry");
    }
}
