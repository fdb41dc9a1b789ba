package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.provisioning.sandbox.graph.Contoso;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.HeldReply;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 15's crash windows, each closed on its own: the application, in a JVM of its own, is killed with SIGKILL
 * ({@code kill -9}) at a chosen point of a cycle, the tenant changes, and the next run must leave no account active
 * whose user is gone or out of scope. The kill point is a SCIM request the target applied and whose answer it holds
 * back ({@link io.github.provisioning.sandbox.scim.ScimSandbox#holdReply}): the engine is killed after the write
 * and before it could record it. One user per Graph page, so that the order of the writes is the order of the users.
 */
class CrashWindowTest extends EngineTest {

    private static final Duration RUN = Duration.ofMinutes(2);
    private static final List<String> NAMES = List.of("adele", "brian", "chen");

    private Map<String, String> settings;
    /** Graph id by name. */
    private final Map<String, String> ids = new LinkedHashMap<>();

    @Override
    GraphSimulatorConfig graphConfig() {
        return super.graphConfig().withPageSize(1);
    }

    @BeforeEach
    void onceEachRun() {
        settings = EngineUnderTest.settingsFor(graph, scim, dataDir);
        settings.put("provisioning.once", "true");
    }

    private void assignEmployees(List<String> names) {
        for (String name : names) {
            ids.put(name, tenant.addUser(Contoso.employee(name, "Sales", "Buyer")));
            tenant.assign(ids.get(name));
        }
    }

    @Test
    void afterAKilledInitialCycleADeletedOrUnassignedUsersAccountIsDisabledAndAHeldCreateIsLinked() throws Exception {
        assignEmployees(NAMES);
        // The third create is held: the first two accounts are created and linked, the cycle never completes.
        RecordedRequest held = killWhenHeld("POST", "/Users", 2);
        assertThat(held.json().path("userName").asText()).isEqualTo(Contoso.upn("chen"));
        assertThat(account("adele").orElseThrow().path("active").asBoolean()).isTrue();

        tenant.hardDeleteUser(ids.get("adele"));
        tenant.unassign(ids.get("brian"));
        tenant.updateUser(ids.get("chen"), Map.of("jobTitle", "Head of Buying"));
        runToTheEnd();

        assertGoneOrInactive("adele");
        assertGoneOrInactive("brian");
        // Chen's account, made by the held create, is linked and updated, never created again.
        JsonNode chen = account("chen").orElseThrow();
        assertThat(chen.path("active").asBoolean()).isTrue();
        assertThat(chen.path("title").asText()).isEqualTo("Head of Buying");
        assertCreatedOnceWithoutConflict("chen");
    }

    @Test
    void anAccountCreatedByAKilledIncrementalCycleIsDisabledOnceItsUserIsUnassigned() throws Exception {
        assignEmployees(List.of("adele", "brian"));
        // Chen exists from the start, so that no users delta after the first cycle brings her again.
        ids.put("chen", tenant.addUser(Contoso.employee("chen", "Sales", "Buyer")));
        runToTheEnd();
        assertThat(account("chen")).isEmpty();

        // Chen is assigned and created; Adele is unassigned, and her disable, sent after the users, is held.
        tenant.assign(ids.get("chen"));
        tenant.unassign(ids.get("adele"));
        killWhenHeld("PATCH", "/Users/" + account("adele").orElseThrow().path("id").asText(), 0);
        assertThat(account("chen").orElseThrow().path("active").asBoolean()).isTrue();

        tenant.unassign(ids.get("chen"));
        runToTheEnd();

        assertGoneOrInactive("chen");
        assertGoneOrInactive("adele");
    }

    /** What happens in Entra ID to a user between a kill and the next run. */
    enum Leaving { HARD_DELETED, UNASSIGNED }

    @ParameterizedTest
    @EnumSource(Leaving.class)
    void aCreateWhoseAnswerNeverReachedTheKilledEngineIsDisabledOnceItsUserLeaves(Leaving leaving) throws Exception {
        assignEmployees(NAMES);
        killWhenHeld("POST", "/Users", 2);

        if (leaving == Leaving.HARD_DELETED) {
            tenant.hardDeleteUser(ids.get("chen"));
        } else {
            tenant.unassign(ids.get("chen"));
        }
        runToTheEnd();

        assertGoneOrInactive("chen");
        assertCreatedOnceWithoutConflict("chen");
    }

    @Test
    void aCreateWhoseAnswerNeverReachedAKilledIncrementalCycleIsDeletedWithItsUser() throws Exception {
        assignEmployees(List.of("adele"));
        runToTheEnd();
        assignEmployees(List.of("brian"));
        killWhenHeld("POST", "/Users", 0);

        tenant.hardDeleteUser(ids.get("brian"));
        runToTheEnd();

        assertGoneOrInactive("brian");
        assertCreatedOnceWithoutConflict("brian");
    }

    @Test
    void aGroupCreateWhoseAnswerNeverReachedTheKilledEngineIsDeletedOnceTheGroupIsUnassigned() throws Exception {
        settings.put("provisioning.mapping", "classpath:mappings/generic-scim.yaml");
        ids.put("adele", tenant.addUser(Contoso.employee("adele", "Sales", "Buyer")));
        String sales = tenant.addGroup("Sales");
        tenant.addMember(sales, ids.get("adele"));
        tenant.assign(sales);
        killWhenHeld("POST", "/Groups", 0);
        assertThat(scim.groupByDisplayName("Sales")).isPresent();

        tenant.unassign(sales);
        runToTheEnd();

        assertThat(scim.groupByDisplayName("Sales")).isEmpty();
        assertGoneOrInactive("adele");
        assertThat(scim.requests()).filteredOn(r -> r.method().equals("POST") && r.path().equals("/Groups"))
                .extracting(RecordedRequest::status).containsExactly(201);
    }

    /**
     * Runs the application until the target holds the answer to the {@code letPass + 1}-th request with this
     * method and path, then kills it; answers that request.
     */
    private RecordedRequest killWhenHeld(String method, String path, int letPass) throws Exception {
        HeldReply hold = scim.holdReply(method, path, letPass);
        try (ApplicationProcess.Running engine = ApplicationProcess.start(settings)) {
            await().atMost(RUN).until(() -> hold.reached() || !engine.isAlive());
            assertThat(hold.reached()).as("the run reached the held request\n%s", engine.output()).isTrue();
            engine.kill();
        } finally {
            hold.release();
        }
        return hold.request();
    }

    private void runToTheEnd() throws Exception {
        ApplicationProcess.Result result = ApplicationProcess.run(RUN, settings);
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    private Optional<ObjectNode> account(String name) {
        return scim.userByUserName(Contoso.upn(name));
    }

    private void assertGoneOrInactive(String name) {
        assertThat(account(name)).as("%s's account", name)
                .satisfiesAnyOf(a -> assertThat(a).isEmpty(),
                        a -> assertThat(a.orElseThrow().path("active").asBoolean()).isFalse());
    }

    private void assertCreatedOnceWithoutConflict(String name) {
        List<RecordedRequest> posts = scim.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals("/Users"))
                .filter(r -> Contoso.upn(name).equalsIgnoreCase(r.json().path("userName").asText())).toList();
        assertThat(posts).extracting(RecordedRequest::status).as("POST /Users for %s", name).containsExactly(201);
    }
}
