package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two provisioning jobs on one state database, on embedded H2 and on PostgreSQL: each store reads and writes only its
 * own job's rows, with the same object ids in both jobs (two jobs may read one tenant), and what one job deletes,
 * clears, promotes or ends never touches the other's.
 */
class JobIsolationTest {

    private static final JobId OTHER = new JobId("meta-work-accounts");
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @RegisterExtension
    final TestStores stores = new TestStores();

    /** The job {@code default} and another one, on one pool. */
    private record TwoJobs(Stores a, Stores b) {
    }

    private TwoJobs twoJobs(TestDatabase.Kind kind) {
        StateDatabase db = stores.open(stores.database(kind));
        return new TwoJobs(stores.state(db), stores.state(db, OTHER));
    }

    private static Link linked(String id, String targetId, String cycle) {
        return new Link(id, targetId, id + "@contoso.example", true, Map.of(), cycle, null, null);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void linksAndListedRoundsAreTheJobsOwn(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        jobs.a().links().save(ObjectType.USER, linked("u1", "a-1", "a-c1"));
        jobs.a().links().saveAll(ObjectType.USER, List.of(linked("u2", "a-2", "a-c1"), linked("u3", "a-3", "a-c1")));
        jobs.b().links().save(ObjectType.USER, linked("u1", "b-1", "b-c1"));
        jobs.b().links().saveDeferred(ObjectType.USER, linked("u4", "b-4", "b-c1"));

        assertThat(jobs.a().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("a-1");
        assertThat(jobs.b().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("b-1");
        assertThat(jobs.a().links().links(ObjectType.USER, List.of("u1", "u2", "u4")))
                .containsOnlyKeys("u1", "u2").extractingByKey("u1").extracting(Link::targetId).isEqualTo("a-1");
        assertThat(jobs.b().links().links(ObjectType.USER, List.of("u1", "u2", "u4")))
                .containsOnlyKeys("u1", "u4").extractingByKey("u1").extracting(Link::targetId).isEqualTo("b-1");
        assertThat(jobs.a().links().link(ObjectType.USER, "u4")).isEmpty();

        // A full round of job A lists u1: job B's round has not.
        jobs.a().links().markListed("r1", List.of("u1", "u2", "u3"));
        jobs.b().links().markListed("r0", List.of("u4"));
        assertThat(jobs.a().links().unlistedAccounts("r1", "a-c2", false)).isEmpty();
        assertThat(jobs.b().links().unlistedAccounts("r1", "b-c2", false)).containsExactly("u1", "u4");
        assertThat(jobs.b().links().unlistedAccounts("r0", "b-c2", false)).containsExactly("u1");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void escrowsAndCreateIntentsAreTheJobsOwnAndARestartClearsOnlyItsJob(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        jobs.a().links().save(ObjectType.USER, new Link("u1", null, null, false, Map.of(), "c1", Link.RETRY_REFRESH,
                "500", new Escrow(1, NOW.minusSeconds(1), false), null));
        jobs.a().links().save(ObjectType.GROUP, new Link("g1", null, null, false, Map.of(), "c1", Link.RETRY_REFRESH,
                "400", new Escrow(1, null, true), null));
        jobs.b().links().save(ObjectType.USER, linked("u1", "b-1", "c1"));
        jobs.b().links().save(ObjectType.USER, new Link("u2", null, null, false, Map.of(), null, null, null)
                .withIntent(new CreateIntent("userName", "u2@contoso.example", "c1", NOW)));
        jobs.b().links().save(ObjectType.GROUP, linked("g1", "b-g1", "c1"));

        assertThat(jobs.a().escrows().awaitingRetry(ObjectType.USER)).isEqualTo(1);
        assertThat(jobs.b().escrows().awaitingRetry(ObjectType.USER)).isZero();
        assertThat(jobs.a().escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(1, 1));
        assertThat(jobs.b().escrows().escrowCounts()).isEqualTo(new EscrowStore.EscrowCounts(0, 0));
        assertThat(jobs.a().escrows().escrowed(10)).extracting(e -> e.link().sourceId()).containsExactly("u1", "g1");
        assertThat(jobs.b().escrows().escrowed(10)).isEmpty();
        assertThat(jobs.a().links().toRefresh("c2", false, false, NOW)).containsExactly("u1");
        assertThat(jobs.b().links().toRefresh("c2", false, false, NOW)).containsExactly("u2");
        jobs.a().scope().startNextScope();
        jobs.b().scope().startNextScope();
        assertThat(jobs.a().groups().groupsToProvision(false, NOW)).isEmpty();
        assertThat(jobs.b().groups().groupsToProvision(false, NOW)).isEmpty();

        assertThat(jobs.a().jobState().restart(List.of(), true)).isEqualTo(new JobStateStore.Restart(2, 2));
        assertThat(jobs.a().links().link(ObjectType.USER, "u1")).isEmpty();
        assertThat(jobs.b().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("b-1");
        assertThat(jobs.b().links().link(ObjectType.USER, "u2")).get().extracting(Link::intent).isNotNull();
        assertThat(jobs.b().jobState().restart(List.of(), false)).isEqualTo(new JobStateStore.Restart(0, 0));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void scopesAreTheJobsOwnAndCompletingOneLeavesTheOther(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        jobs.a().scope().startNextScope("a-c1");
        jobs.a().scope().addToNextScope(List.of("x", "y"));
        jobs.a().scope().addToNextGroupScope(List.of("g"));
        jobs.b().scope().startNextScope("b-c1");
        jobs.b().scope().addToNextScope(List.of("x", "w"));
        assertThat(jobs.a().links().toRefresh("a-c1", true)).containsExactly("x", "y");
        assertThat(jobs.b().links().toRefresh("b-c1", true)).containsExactly("w", "x");
        assertThat(jobs.a().groups().groupsToProvision(true, NOW)).containsExactly("g");
        assertThat(jobs.b().groups().groupsToProvision(true, NOW)).isEmpty();
        jobs.a().jobState().completeCycle(Map.of(), true, false);
        assertThat(jobs.a().scope().inCurrentScope("y")).isTrue();
        assertThat(jobs.b().scope().inCurrentScope("x")).isFalse();
        jobs.b().jobState().completeCycle(Map.of(), true, false);
        assertThat(jobs.b().scope().inCurrentScope("x")).isTrue();
        assertThat(jobs.b().scope().inCurrentScope("y")).isFalse();

        // Both jobs' second cycles run at once, with the same generation numbers: A's x and B's w leave. A completes
        // first; B's row gone is still B's to handle, and B's x stays in B's scope.
        jobs.a().scope().startNextScope("a-c2");
        jobs.a().scope().addToNextScope(List.of("y"));
        jobs.b().scope().startNextScope("b-c2");
        jobs.b().scope().addToNextScope(List.of("x"));
        assertThat(jobs.a().scope().leftScope("a-c2")).containsExactly("x");
        assertThat(jobs.b().scope().leftScope("b-c2")).containsExactly("w");
        jobs.a().jobState().completeCycle(Map.of(), true, false);
        assertThat(jobs.b().scope().leftScope("b-c2")).containsExactly("w");
        jobs.b().jobState().completeCycle(Map.of(), true, false);
        assertThat(jobs.a().scope().inCurrentScope("x")).isFalse();
        assertThat(jobs.b().scope().inCurrentScope("x")).isTrue();
        assertThat(jobs.b().scope().inCurrentScope("w")).isFalse();

        // Each job's scope generations are its own: a store reopened on B compares its scope with B's rows.
        Stores reopened = stores.state(jobs.b().database(), OTHER);
        reopened.scope().startNextScope("b-c3");
        reopened.scope().addToNextScope(List.of("x", "z"));
        assertThat(reopened.scope().leftScope("b-c3")).isEmpty();
        assertThat(reopened.links().toRefresh("b-c3", true)).containsExactly("z");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void appRolesAreTheJobsOwnAndPromotedPerJob(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        for (Stores job : List.of(jobs.a(), jobs.b())) {
            job.scope().startNextScope();
            job.appRoles().startNextRoles();
        }
        jobs.a().appRoles().addToNextRoles(List.of(new AppRoleStore.RoleAssignment("u1", "r1", "Admin", "admin")));
        jobs.b().appRoles().addToNextRoles(List.of(new AppRoleStore.RoleAssignment("u1", "r1", "Reader", "reader")));
        assertThat(jobs.a().appRoles().appRoleAssignments("u1", false)).extracting(role -> role.get("value"))
                .containsExactly("admin");
        assertThat(jobs.b().appRoles().appRoleAssignments("u1", false)).extracting(role -> role.get("value"))
                .containsExactly("reader");

        jobs.a().jobState().completeCycle(Map.of(), false, true);
        assertThat(jobs.a().appRoles().appRoleAssignments("u1", true)).extracting(role -> role.get("value"))
                .containsExactly("admin");
        assertThat(jobs.b().appRoles().appRoleAssignments("u1", true)).isEmpty();
        assertThat(jobs.b().appRoles().appRoleAssignments("u1", false)).hasSize(1);
        // A's next cycle reads the same roles: no change. B's user has roles no completed cycle of B had.
        jobs.a().appRoles().startNextRoles();
        jobs.a().appRoles().addToNextRoles(List.of(new AppRoleStore.RoleAssignment("u1", "r1", "Admin", "admin")));
        assertThat(jobs.a().links().toRefresh("c2", false, true)).isEmpty();
        assertThat(jobs.b().links().toRefresh("c2", false, true)).containsExactly("u1");

        // A new generation of B's roles starts empty; A's stay.
        jobs.b().appRoles().startNextRoles();
        assertThat(jobs.b().appRoles().appRoleAssignments("u1", false)).isEmpty();
        assertThat(jobs.a().appRoles().appRoleAssignments("u1", true)).hasSize(1);
        assertThat(jobs.a().appRoles().appRoleAssignments("u1", false)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void groupsAndTheirMembersAreTheJobsOwn(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        ObjectNode engineers = JsonNodeFactory.instance.objectNode().put("displayName", "Engineers");
        ObjectNode readers = JsonNodeFactory.instance.objectNode().put("displayName", "Readers");
        jobs.a().groups().stageGroup("g", GroupStore.GroupSource.PRESENT, engineers, "a-r1");
        jobs.b().groups().stageGroup("g", GroupStore.GroupSource.PRESENT, readers, "b-r1");
        jobs.a().memberships().stageMembers("g", List.of(new GroupMemberStore.MemberChange("u1", "user", true)),
                "a-r1");
        jobs.b().memberships().stageMembers("g", List.of(new GroupMemberStore.MemberChange("u2", "user", true)),
                "b-r1");
        for (Stores job : List.of(jobs.a(), jobs.b())) {
            job.links().save(ObjectType.GROUP, linked("g", job.job() + "-g", "c1"));
            job.links().save(ObjectType.USER, linked("u1", job.job() + "-u1", "c1"));
            job.links().save(ObjectType.USER, linked("u2", job.job() + "-u2", "c1"));
        }

        assertThat(jobs.a().groups().groupSource("g")).get().extracting(g -> g.properties().get("displayName")
                .asText()).isEqualTo("Engineers");
        assertThat(jobs.b().groups().groupSource("g")).get().extracting(g -> g.properties().get("displayName")
                .asText()).isEqualTo("Readers");
        assertThat(jobs.a().memberships().sourceMembers("g")).extracting(GroupMemberStore.MemberChange::memberId)
                .containsExactly("u1");
        assertThat(jobs.a().memberships().memberAdditions("g", 10))
                .containsExactly(new GroupMemberStore.GroupMember("u1", "default-u1"));
        assertThat(jobs.b().memberships().memberAdditions("g", 10))
                .containsExactly(new GroupMemberStore.GroupMember("u2", "meta-work-accounts-u2"));

        // Job A writes its member and ends a full round that did not list g: B's group and member are as they were.
        jobs.a().memberships().markMembers("g", jobs.a().memberships().memberAdditions("g", 10), true);
        jobs.a().groups().groupProcessed("g");
        assertThat(jobs.a().groups().groupsToProvision(false, NOW)).isEmpty();
        assertThat(jobs.b().groups().groupsToProvision(false, NOW)).containsExactly("g");
        jobs.a().groups().finishFullGroupRound("a-r2");
        assertThat(jobs.a().groups().groupSource("g")).get().extracting(GroupStore.GroupSource::state)
                .isEqualTo(GroupStore.GroupSource.DELETED);
        assertThat(jobs.a().memberships().memberRemovals("g", 10))
                .containsExactly(new GroupMemberStore.GroupMember("u1", "default-u1"));
        assertThat(jobs.b().groups().groupSource("g")).get().extracting(GroupStore.GroupSource::state)
                .isEqualTo(GroupStore.GroupSource.PRESENT);
        assertThat(jobs.b().memberships().memberRemovals("g", 10)).isEmpty();
        assertThat(jobs.b().memberships().skippedMembers("g", 10).count()).isZero();

        jobs.a().memberships().forgetTargetMembers("g");
        jobs.a().memberships().dropMembers("g");
        assertThat(jobs.a().memberships().sourceMembers("g")).isEmpty();
        assertThat(jobs.b().memberships().sourceMembers("g")).extracting(GroupMemberStore.MemberChange::memberId)
                .containsExactly("u2");
        assertThat(jobs.b().memberships().memberAdditions("g", 10)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void stagedDeletionsAreHeldApprovedAndRejectedPerJob(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        for (Stores job : List.of(jobs.a(), jobs.b())) {
            for (String id : List.of("u1", "u2")) {
                job.deletions().stageDeletion(StagedDeletion.staged(ObjectType.USER, id, StagedDeletion.DISABLE,
                        "LEFT_SCOPE", "left", id, "t-" + id, job.job() + "-c1", NOW));
            }
        }
        jobs.b().deletions().stageDeletion(StagedDeletion.staged(ObjectType.GROUP, "g", StagedDeletion.DELETE,
                "HARD_DELETED", "deleted", "g", "t-g", "b-c1", NOW));

        assertThat(jobs.a().deletions().holdPendingDeletions()).isEqualTo(2);
        assertThat(jobs.a().deletions().heldDeletions().count()).isEqualTo(2);
        assertThat(jobs.b().deletions().heldDeletions().count()).isZero();
        assertThat(jobs.b().deletions().pendingDeletions()).isEqualTo(3);
        assertThat(jobs.b().deletions().stagedDeletions(ObjectType.USER, false, true, null, 10))
                .extracting(StagedDeletion::cycleId).containsOnly("meta-work-accounts-c1");

        assertThat(jobs.b().deletions().approveHeldDeletions()).isZero();
        assertThat(jobs.b().deletions().rejectHeldDeletions()).isZero();
        assertThat(jobs.a().deletions().heldDeletions().count()).isEqualTo(2);
        assertThat(jobs.b().deletions().holdPendingDeletions()).isEqualTo(3);
        assertThat(jobs.a().deletions().rejectHeldDeletions()).isEqualTo(2);
        assertThat(jobs.b().deletions().heldDeletions().count()).isEqualTo(3);
        assertThat(jobs.b().deletions().approveHeldDeletions()).isEqualTo(3);
        jobs.a().deletions().stageDeletion(StagedDeletion.staged(ObjectType.USER, "u1", StagedDeletion.DELETE,
                "HARD_DELETED", "deleted", "u1", "t-u1", "default-c2", NOW));
        jobs.a().deletions().dropStagedDeletion(ObjectType.USER, "u1");
        assertThat(jobs.a().deletions().stagedDeletions(ObjectType.USER, false, false, null, 10)).isEmpty();
        assertThat(jobs.b().deletions().stagedDeletions(ObjectType.USER, false, false, null, 10))
                .extracting(StagedDeletion::sourceId).containsExactly("u1", "u2");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void watermarksCyclesAndQuarantineAreTheJobsOwn(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        jobs.a().jobState().putWatermark("users-delta", "a-link");
        jobs.b().jobState().putWatermarkDurably("users-delta", "b-link");
        jobs.b().jobState().completeCycle(Map.of("groups-delta", "b-groups"), false, false);
        assertThat(jobs.a().jobState().watermark("users-delta")).contains("a-link");
        assertThat(jobs.b().jobState().watermark("users-delta")).contains("b-link");
        assertThat(jobs.a().jobState().watermark("groups-delta")).isEmpty();
        jobs.a().jobState().restart(List.of("users-delta"), false);
        assertThat(jobs.a().jobState().watermark("users-delta")).isEmpty();
        assertThat(jobs.b().jobState().watermark("users-delta")).contains("b-link");

        // The same cycle id in both jobs (ids are random; the key does not rely on it) ends in each on its own.
        jobs.a().jobState().cycleStarted("c1", "initial", NOW);
        jobs.b().jobState().cycleStarted("c1", "initial", NOW);
        jobs.a().jobState().cycleEnded("c1", "completed", NOW.plusSeconds(5), "{\"job\":\"a\"}");
        assertThat(jobs.a().jobState().lastCycleReport()).contains("{\"job\":\"a\"}");
        assertThat(jobs.b().jobState().lastCycleReport()).isEmpty();
        jobs.b().jobState().cycleEnded("c1", "failed", NOW.plusSeconds(1), "{\"job\":\"b\"}");
        assertThat(jobs.a().jobState().lastCycleReport()).contains("{\"job\":\"a\"}");
        assertThat(jobs.b().jobState().lastCycleReport()).contains("{\"job\":\"b\"}");

        QuarantineState quarantine = new QuarantineState("credentials", "401", NOW, 0, NOW.plusSeconds(3600), false);
        jobs.a().jobState().putQuarantine(quarantine);
        assertThat(jobs.a().jobState().quarantine()).contains(quarantine);
        assertThat(jobs.b().jobState().quarantine()).isEmpty();
        assertThat(jobs.b().jobState().clearQuarantine()).isFalse();
        jobs.b().jobState().putQuarantine(new QuarantineState("failure-rate", "60 %", NOW, 1, NOW, true));
        assertThat(jobs.a().jobState().quarantine()).contains(quarantine);
        assertThat(jobs.a().jobState().clearQuarantine()).isTrue();
        assertThat(jobs.b().jobState().quarantine()).get().extracting(QuarantineState::reason)
                .isEqualTo("failure-rate");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDryRunCopiesItsJobsRowsAndLeavesTheOtherJobsAsTheyWere(TestDatabase.Kind kind) {
        TwoJobs jobs = twoJobs(kind);
        jobs.a().links().save(ObjectType.USER, linked("u1", "a-1", "c1"));
        jobs.b().links().save(ObjectType.USER, linked("u1", "b-1", "c1"));

        jobs.a().database().beginDryRun(jobs.a().job());
        assertThat(jobs.a().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("a-1");
        jobs.a().links().save(ObjectType.USER, linked("u1", "dry", "dry"));
        jobs.a().database().endDryRun();

        assertThat(jobs.a().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("a-1");
        assertThat(jobs.b().links().link(ObjectType.USER, "u1")).get().extracting(Link::targetId).isEqualTo("b-1");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aStoreTakesOnlyTheScopeStoreOfItsOwnJob(TestDatabase.Kind kind) {
        StateDatabase db = stores.open(stores.database(kind)).migrate();
        ScopeStore scope = new ScopeStore(db, JobId.DEFAULT);
        assertThatThrownBy(() -> new JobStateStore(db, OTHER, scope)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job default").hasMessageContaining("job meta-work-accounts");
    }

    @Test
    void aJobIdIsANameThatCanNameAFolderAndAPath() {
        assertThat(new JobId("Tenant_2.scim-app").value()).isEqualTo("Tenant_2.scim-app");
        assertThat(JobId.DEFAULT.value()).isEqualTo("default");
        for (String bad : List.of("", " ", "a b", "../etc", ".hidden", "-x", "x/y", "x".repeat(65))) {
            assertThatThrownBy(() -> new JobId(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid job id");
        }
        assertThatThrownBy(() -> new JobId(null)).isInstanceOf(NullPointerException.class);
    }
}
