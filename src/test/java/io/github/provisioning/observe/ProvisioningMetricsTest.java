package io.github.provisioning.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.CycleProgress;
import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.cycle.LogEntry;
import io.github.provisioning.graph.GraphRetry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProvisioningMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void twoJobsOnOneRegistryHaveSeparateSeriesOfEveryMeter() {
        ProvisioningMetrics hr = new ProvisioningMetrics(registry, "hr", type -> type.equals("user") ? 3 : 0,
                () -> true, () -> 7);
        hr.cycleProgress(() -> Optional.of(new CycleProgress.Snapshot("c1", "initial", 10, 4, 10, 40.0, 5, 8L)));
        ProvisioningMetrics sales = new ProvisioningMetrics(registry, "sales", type -> 0, () -> false, () -> 0);
        sales.cycleProgress(Optional::empty);
        for (ProvisioningMetrics metrics : List.of(hr, sales)) {
            metrics.graphRetry(new GraphRetry.Retryable(429, Duration.ofSeconds(2)));
            metrics.cycleEnded(new CycleReport("c1", "initial", Instant.EPOCH, Instant.EPOCH.plusSeconds(1), 1000,
                    Map.of(), "completed", null, 1));
            metrics.objectLogged(new LogEntry(Instant.EPOCH, "c1", null, "user", "create", "success", "s1", null,
                    "t1", null, List.of(), null, 1, List.of()));
            metrics.notification("cycle-digest", "sent");
        }
        hr.objectLogged(new LogEntry(Instant.EPOCH, "c1", null, "user", "create", "success", "s2", null, "t2", null,
                List.of(), null, 1, List.of()));

        Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrder("provisioning.escrow.objects", "provisioning.quarantined",
                "provisioning.deletions.held", "provisioning.graph.throttled", "provisioning.graph.retry.wait",
                "provisioning.cycle.progress.percent", "provisioning.cycle.scope.size", "provisioning.cycle.processed",
                "provisioning.graph.retries", "provisioning.cycles", "provisioning.cycle.duration",
                "provisioning.objects", "provisioning.notifications");
        for (String name : names) {
            assertThat(registry.find(name).meters()).as(name).allSatisfy(meter ->
                    assertThat(meter.getId().getTag(ProvisioningMetrics.JOB_TAG)).isIn("hr", "sales"));
            assertThat(jobs(name)).as(name).containsExactlyInAnyOrder("hr", "sales");
        }
        assertThat(registry.get("provisioning.escrow.objects").tags("job", "hr", "object_type", "user").gauge().value())
                .isEqualTo(3);
        assertThat(registry.get("provisioning.escrow.objects").tags("job", "sales", "object_type", "user").gauge()
                .value()).isZero();
        assertThat(registry.get("provisioning.quarantined").tag("job", "hr").gauge().value()).isEqualTo(1);
        assertThat(registry.get("provisioning.quarantined").tag("job", "sales").gauge().value()).isZero();
        assertThat(registry.get("provisioning.deletions.held").tag("job", "hr").gauge().value()).isEqualTo(7);
        assertThat(registry.get("provisioning.deletions.held").tag("job", "sales").gauge().value()).isZero();
        assertThat(registry.get("provisioning.cycle.progress.percent").tag("job", "hr").gauge().value())
                .isEqualTo(40.0);
        assertThat(registry.get("provisioning.cycle.progress.percent").tag("job", "sales").gauge().value()).isNaN();
        assertThat(registry.get("provisioning.objects").tag("job", "hr").counter().count()).isEqualTo(2);
        assertThat(registry.get("provisioning.objects").tag("job", "sales").counter().count()).isEqualTo(1);
        assertThat(registry.get("provisioning.graph.throttled").tag("job", "sales").counter().count()).isEqualTo(1);
        assertThat(registry.get("provisioning.cycle.duration").tag("job", "hr").timer().count()).isEqualTo(1);
    }

    private Set<String> jobs(String name) {
        return registry.find(name).meters().stream().map(Meter::getId)
                .map(id -> id.getTag(ProvisioningMetrics.JOB_TAG)).collect(Collectors.toSet());
    }
}
