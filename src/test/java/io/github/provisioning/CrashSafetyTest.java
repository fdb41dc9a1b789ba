package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.sandbox.scim.HeldReply;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import io.github.provisioning.state.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues 6 and 15's crash test: the application, in a JVM of its own, provisions a 3,000-user tenant and is killed
 * with SIGKILL ({@code kill -9}) at random moments of its work, eight times, while the tenant changes between the
 * kills: users are updated, disabled, hard-deleted, unassigned and added. Every third kill comes while the target
 * holds back the answer to a create it made: after the POST, before the engine could save the link. Restarted each
 * time on the same state, the run that completes the round must leave no account of a deleted or unassigned user
 * active, and with the next cycle (a resumed round brings the changes to its done pages in the next delta) the
 * application must end with the target one uninterrupted run gives for the final tenant (any other account inactive,
 * and its user disabled, deleted or unassigned), must never have sent {@code POST /Users} twice for one userName nor
 * had one answered 409. The engine tests run it on H2, and again with the state in PostgreSQL.
 *
 * <p>The random moments are points of progress (the number of SCIM requests the run has sent, from none at all,
 * i.e. during start-up, to several hundred; or the how-manieth create of the run is held), drawn from a seed printed
 * in the failure message.
 */
class CrashSafetyTest extends EngineTest {

    private static final int USERS = 3_000;
    private static final int KILLS = 8;
    /** Generous: a whole initial cycle of the tenant on a loaded 2-core machine. */
    private static final Duration FULL_RUN = Duration.ofMinutes(10);

    @TempDir
    Path referenceDir;

    /** The users the tenant still has, by Graph id; those directly assigned (the ones a test can unassign). */
    private final List<String> live = new ArrayList<>();
    private final List<String> directlyAssigned = new ArrayList<>();
    /** userNames (lower case) of the users disabled, hard-deleted and unassigned between the kills. */
    private final Set<String> disabled = new TreeSet<>();
    private final Set<String> deleted = new TreeSet<>();
    private final Set<String> unassigned = new TreeSet<>();

    @Test
    void killedAtRandomMomentsWhileTheTenantChangesTheEngineEndsWithTheExpectedTargetAndNoDuplicate()
            throws Exception {
        // -Dcrash-test.seed=<seed> replays a failed run's kills and changes (their moments stay the machine's).
        long seed = Long.getLong("crash-test.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + ", state in " + TestDatabase.ENGINE_DATABASE;
        tenant.populateSample(USERS, 7);
        tenant.users().forEach(u -> live.add(u.get("id").asText()));
        Set<String> assigned = Set.copyOf(tenant.assignedPrincipalIds());
        live.stream().filter(assigned::contains).forEach(directlyAssigned::add);
        Map<String, String> settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.once", "true");

        int kills = 0;
        int runs = 0;
        while (kills < KILLS) {
            runs++;
            assertThat(runs).as("%s: runs needed for %d kills", context, KILLS).isLessThanOrEqualTo(3 * KILLS);
            int sentBefore = scim.requests().size();
            int killAfter = random.nextInt(400);
            HeldReply hold = kills % 3 == 2 ? scim.holdReply("POST", "/Users", random.nextInt(150)) : null;
            try (ApplicationProcess.Running engine = ApplicationProcess.start(settings)) {
                await().atMost(FULL_RUN).pollInterval(Duration.ofMillis(5)).until(() -> !engine.isAlive()
                        || (hold == null ? scim.requests().size() - sentBefore >= killAfter : hold.reached()));
                if (engine.isAlive()) {
                    engine.kill();
                    kills++;
                } else {
                    assertThat(engine.exitCode()).as("%s: a run that was not killed\n%s", context, engine.output())
                            .isZero();
                }
            } finally {
                if (hold != null) {
                    hold.release();
                }
            }
            changeTheTenant(random, runs);
        }

        ApplicationProcess.Result last = ApplicationProcess.run(FULL_RUN, settings);
        assertThat(last.exitCode()).as("%s: the run after the last kill\n%s", context, last.output()).isZero();

        // The end of the round the kills cut reconciles every link: no leaver keeps an active account.
        List<String> leftActive = new ArrayList<>();
        for (String userName : union(deleted, unassigned)) {
            JsonNode account = accountsByUserName(scim.users()).get(userName);
            if (account != null && account.path("active").asBoolean()) {
                leftActive.add(userName);
            }
        }
        assertThat(leftActive).as("%s: hard-deleted or unassigned users whose account is still active", context)
                .isEmpty();

        // A resumed round does not read again the pages it had done: a change made meanwhile to a user on them
        // (an update, a disable) comes in the next delta round, as in Entra's next cycle.
        ApplicationProcess.Result next = ApplicationProcess.run(FULL_RUN, settings);
        assertThat(next.exitCode()).as("%s: the cycle after\n%s", context, next.output()).isZero();

        assertThat(userNamesPostedTwice()).as("%s: userNames POSTed more than once", context).isEmpty();
        assertThat(scim.requests()).filteredOn(r -> isUserCreate(r) && r.status() == 409)
                .extracting(RecordedRequest::line).as("%s: creates answered 409", context).isEmpty();

        Map<String, JsonNode> actual = accountsByUserName(scim.users());

        // The target one uninterrupted run gives for the final tenant, through the same application.
        Map<String, JsonNode> expected = accountsOfOneUninterruptedRun(referenceDir, FULL_RUN, USERS / 2);
        Map<String, JsonNode> active = new LinkedHashMap<>(actual);
        active.values().removeIf(account -> !account.path("active").asBoolean());
        assertThat(active.keySet()).as("%s: the active accounts", context)
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> differing = expected.keySet().stream()
                .filter(userName -> !expected.get(userName).equals(actual.get(userName))).toList();
        assertThat(differing).as("%s: users whose target state differs from one uninterrupted run, e.g. %s", context,
                differing.isEmpty() ? "" : actual.get(differing.get(0)) + " instead of "
                        + expected.get(differing.get(0))).isEmpty();
        Set<String> changed = union(disabled, union(deleted, unassigned));
        assertThat(actual.keySet().stream().filter(userName -> !expected.containsKey(userName)
                && !changed.contains(userName)).toList())
                .as("%s: inactive accounts of users neither disabled, deleted nor unassigned", context).isEmpty();
    }

    /**
     * Between two runs: a few users change title and department, one changes name, one is disabled, one is deleted
     * for good, one is unassigned, and one new user is assigned. Every change must reach the target.
     */
    private void changeTheTenant(Random random, int run) {
        for (int i = 0; i < 20; i++) {
            tenant.updateUser(pick(random, live), Map.of("jobTitle", "Title " + run + "-" + i, "department",
                    "Dept " + run));
        }
        tenant.updateUser(pick(random, live), Map.of("displayName", "Renamed " + run));
        String disable = pick(random, live);
        tenant.updateUser(disable, Map.of("accountEnabled", false));
        disabled.add(userName(disable));
        String delete = pick(random, live);
        deleted.add(userName(delete));
        tenant.hardDeleteUser(delete);
        live.remove(delete);
        directlyAssigned.remove(delete);
        String unassign = pick(random, directlyAssigned);
        tenant.unassign(unassign);
        unassigned.add(userName(unassign));
        directlyAssigned.remove(unassign);
        String added = tenant.addUser(Map.of("userPrincipalName", "crash-" + run + "@contoso.example",
                "displayName", "Crash " + run, "givenName", "Crash", "surname", "Run " + run, "mail",
                "crash-" + run + "@contoso.example", "jobTitle", "New hire"));
        tenant.assign(added);
        live.add(added);
        directlyAssigned.add(added);
    }

    private static String pick(Random random, List<String> ids) {
        return ids.get(random.nextInt(ids.size()));
    }

    private String userName(String id) {
        return tenant.user(id).orElseThrow().path("userPrincipalName").asText().toLowerCase(Locale.ROOT);
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> union = new TreeSet<>(first);
        union.addAll(second);
        return union;
    }
}
