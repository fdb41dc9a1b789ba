package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's crash test: the application, in a JVM of its own, provisions a 5,000-user tenant and is killed with
 * SIGKILL ({@code kill -9}) at random moments of its work, ten times, while the tenant keeps changing between the
 * kills. Restarted each time on the same state, it must end with exactly the target that one uninterrupted run
 * gives for the final tenant, and must never have sent {@code POST /Users} twice for one userName.
 *
 * <p>The random moments are points of progress (the number of SCIM requests the run has sent, from none at all,
 * i.e. during start-up, to several hundred), drawn from a seed printed in the failure message.
 */
class CrashSafetyTest extends EngineTest {

    private static final int USERS = 5_000;
    private static final int KILLS = 10;
    /** Generous: a whole initial cycle of the tenant on a loaded 2-core machine. */
    private static final Duration FULL_RUN = Duration.ofMinutes(10);

    @TempDir
    Path referenceDir;

    @Test
    void killedTenTimesAtRandomMomentsTheEngineEndsWithTheExpectedTargetAndNoDuplicate() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String context = "seed " + seed;
        tenant.populateSample(USERS, 7);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.once", "true");
        List<String> userIds = tenant.users().stream().map(u -> u.get("id").asText()).toList();

        int kills = 0;
        int runs = 0;
        while (kills < KILLS) {
            runs++;
            assertThat(runs).as("%s: runs needed for %d kills", context, KILLS).isLessThanOrEqualTo(3 * KILLS);
            int sentBefore = scim.requests().size();
            int killAfter = random.nextInt(600);
            try (ApplicationProcess.Running engine = ApplicationProcess.start(settings)) {
                await().atMost(FULL_RUN).pollInterval(Duration.ofMillis(5))
                        .until(() -> !engine.isAlive() || scim.requests().size() - sentBefore >= killAfter);
                if (engine.isAlive()) {
                    engine.kill();
                    kills++;
                } else {
                    assertThat(engine.exitCode()).as("%s: a run that was not killed\n%s", context, engine.output())
                            .isZero();
                }
            }
            changeTheTenant(random, userIds, runs);
        }

        ApplicationProcess.Result last = ApplicationProcess.run(FULL_RUN, settings);
        assertThat(last.exitCode()).as("%s: the run after the last kill\n%s", context, last.output()).isZero();

        Map<String, Long> posts = postsByUserName(scim);
        assertThat(posts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("%s: userNames POSTed more than once", context).isEmpty();

        // The target one uninterrupted run gives for the final tenant, through the same application.
        try (ScimSandbox reference = ScimSandbox.start(ScimSandboxConfig.defaults()
                .withBearerToken(scim.config().bearerToken()))) {
            Map<String, String> referenceSettings = EngineUnderTest.settingsFor(graph, reference, referenceDir);
            referenceSettings.put("provisioning.once", "true");
            ApplicationProcess.Result result = ApplicationProcess.run(FULL_RUN, referenceSettings);
            assertThat(result.exitCode()).as(result.output()).isZero();
            Map<String, JsonNode> expected = byUserName(reference.users());
            Map<String, JsonNode> actual = byUserName(scim.users());
            assertThat(expected).hasSizeGreaterThan(USERS / 2);
            assertThat(actual.keySet()).as(context).containsExactlyInAnyOrderElementsOf(expected.keySet());
            List<String> differing = expected.keySet().stream()
                    .filter(userName -> !expected.get(userName).equals(actual.get(userName))).toList();
            assertThat(differing).as("%s: users whose target state differs from one uninterrupted run, e.g. %s", context,
                    differing.isEmpty() ? "" : actual.get(differing.get(0)) + " instead of "
                            + expected.get(differing.get(0))).isEmpty();
        }
    }

    /**
     * Between two runs: a few users change title and department, one changes name, and one new user is assigned.
     * Every change must reach the target.
     */
    private void changeTheTenant(Random random, List<String> userIds, int run) {
        for (int i = 0; i < 20; i++) {
            String id = userIds.get(random.nextInt(userIds.size()));
            tenant.updateUser(id, Map.of("jobTitle", "Title " + run + "-" + i, "department", "Dept " + run));
        }
        tenant.updateUser(userIds.get(random.nextInt(userIds.size())), Map.of("displayName", "Renamed " + run));
        String added = tenant.addUser(Map.of("userPrincipalName", "crash-" + run + "@contoso.example",
                "displayName", "Crash " + run, "givenName", "Crash", "surname", "Run " + run, "mail",
                "crash-" + run + "@contoso.example", "jobTitle", "New hire"));
        tenant.assign(added);
    }

    private static Map<String, Long> postsByUserName(ScimSandbox target) {
        Map<String, Long> posts = new TreeMap<>();
        for (RecordedRequest r : target.requests()) {
            if (r.method().equals("POST") && r.path().equals("/Users")) {
                posts.merge(r.json().path("userName").asText().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
        }
        return posts;
    }

    /** Target users without what the target assigns itself (id, meta), by userName. */
    private static Map<String, JsonNode> byUserName(List<ObjectNode> users) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (ObjectNode user : users) {
            ObjectNode copy = user.deepCopy();
            copy.remove(List.of("id", "meta"));
            byName.put(copy.path("userName").asText(), copy);
        }
        return byName;
    }
}
