package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.cycle.CycleReport;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.InjectedFault;
import io.github.provisioning.sandbox.scim.ScimFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A faulty target (10 % server errors, 429 bursts with Retry-After, replies slower than the engine waits, lost
 * POST replies): 200 users converge to exactly the expected accounts, none created twice, every update applied,
 * with a bounded number of requests.
 */
class ScimFaultConvergenceTest extends EngineTest {

    private static final int USERS = 200;
    private static final int MAX_CYCLES = 6;

    private final List<String> ids = new ArrayList<>();

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(50);
    }

    @BeforeEach
    void addUsersAndFaults() {
        for (int i = 0; i < USERS; i++) {
            Map<String, Object> user = new HashMap<>();
            user.put("userPrincipalName", "user" + i + "@contoso.example");
            user.put("mailNickname", "user" + i);
            user.put("jobTitle", "Title " + i);
            user.put("accountEnabled", true);
            ids.add(graph.tenant().addUser(user));
        }
        scim.faults(ScimFaults.none().withSeed(2026)
                .withServerErrorRate(0.10)
                .withThrottleEvery(40).withThrottleBurst(4).withRetryAfter("0.1")
                .withSlowRate(0.03).withSlowDelay(Duration.ofMillis(1500))
                .withDropReplyRate(0.10));
    }

    @Test
    void aFaultyTargetConvergesWithNoDuplicateAndEveryUpdateApplied() throws Exception {
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.scope", "all");
        settings.put("scim.response-timeout", "1s");
        engine = EngineUnderTest.start(settings, dataDir);

        CycleReport report = engine.awaitInitialCycle();
        int cycles = 1;
        while (report.counts().get("failed") > 0 && cycles < MAX_CYCLES) {
            report = engine.runCycle();
            cycles++;
        }

        assertThat(report.counts().get("failed")).as("failures left after %d cycles", cycles).isZero();
        assertThat(scim.users()).hasSize(USERS);
        assertThat(scim.createsByUserName().values()).as("successful POSTs per userName").containsOnly(1L);
        assertThat(scim.faultCounts()).containsKeys(InjectedFault.SERVER_ERROR, InjectedFault.THROTTLED,
                InjectedFault.SLOW_REPLY, InjectedFault.DROPPED_REPLY);

        for (int i = 0; i < USERS; i += 5) {
            graph.tenant().updateUser(ids.get(i), Map.of("jobTitle", "Changed " + i));
        }
        report = engine.runCycle();
        for (int c = 1; report.counts().get("failed") > 0 && c < MAX_CYCLES; c++) {
            report = engine.runCycle();
        }

        assertThat(report.counts().get("failed")).isZero();
        for (int i = 0; i < USERS; i++) {
            String expected = i % 5 == 0 ? "Changed " + i : "Title " + i;
            assertThat(scim.userByUserName("user" + i + "@contoso.example").orElseThrow().path("title").asText())
                    .isEqualTo(expected);
        }
        assertThat(scim.createsByUserName().values()).containsOnly(1L);
        // Without faults: one match and one create per user, one PATCH per change; retries stay bounded.
        assertThat(scim.requests()).hasSizeLessThan(3 * (2 * USERS + USERS / 5));
    }
}
