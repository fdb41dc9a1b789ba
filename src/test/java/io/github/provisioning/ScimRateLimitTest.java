package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job's rate limit, judged where it matters: by the target's request timestamps. 25 requests/s is the rate
 * Entra asks gallery targets to handle; 260 users need 520 requests. The limit is a ceiling: the test holds the
 * engine to it (overall and in every one-second window), never to a floor, because a loaded machine only makes the
 * engine slower. How close the engine comes to the limit is a performance figure, measured by the benchmark
 * ({@code bench/run.sh --rate R}, docs/benchmarks.md), not asserted in a test.
 */
class ScimRateLimitTest extends EngineTest {

    private static final double RATE = 25.0;
    private static final int USERS = 260;

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(100);
    }

    @BeforeEach
    void addUsers() {
        for (int i = 0; i < USERS; i++) {
            Map<String, Object> user = new HashMap<>();
            user.put("userPrincipalName", "user" + i + "@contoso.example");
            user.put("accountEnabled", true);
            graph.tenant().addUser(user);
        }
    }

    @Test
    void requestsToTheTargetHoldTheConfiguredRate() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.scope", "all");
        settings.put("scim.max-requests-per-second", String.valueOf(RATE));
        // A match query and a create per user, so that 260 users make a run of 20 seconds.
        settings.put("scim.match-index", "off");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();

        assertThat(report.counts()).containsEntry("created", USERS);
        List<Instant> times = scim.requestTimes();
        assertThat(times).hasSize(2 * USERS + 1);  // + the capabilities read
        double seconds = Duration.between(times.get(0), times.get(times.size() - 1)).toNanos() / 1e9;
        double rate = (times.size() - 1) / seconds;
        assertThat(rate).as("requests per second over %.1f s", seconds).isLessThanOrEqualTo(RATE * 1.05);
        // no burst: the limiter spaces request starts evenly; arrivals jitter by a few milliseconds, so any one
        // second holds at most the rate plus a fifth (without the limiter it would be hundreds)
        for (int i = 0, j = 0; i < times.size(); i++) {
            while (Duration.between(times.get(j), times.get(i)).toMillis() >= 1000) {
                j++;
            }
            assertThat(i - j + 1).as("requests in the second before %s", times.get(i)).isLessThanOrEqualTo((int) (RATE * 1.2));
        }
    }
}
