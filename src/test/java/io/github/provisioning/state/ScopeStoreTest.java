package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The assignment scope by generation and the app role assignments (the scope store), on embedded H2 and on
 * PostgreSQL.
 */
class ScopeStoreTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aScopeReadByACycleThatDidNotCompleteIsNotTakenForTheNextCyclesScope(TestDatabase.Kind kind) {
        TestDatabase database = stores.database(kind);
        Stores store = stores.state(database);
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b"));
        store.jobState().completeCycle(Map.of(), true, false);

        // A cycle reads a, b and a new c, and the process dies before the end of the cycle.
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b", "c"));
        assertThat(store.links().toRefresh("c2", true)).containsExactly("c");

        // After the restart, c and b are no longer assigned: b left; c was never in a completed scope.
        Stores restarted = stores.state(database);
        restarted.scope().startNextScope();
        restarted.scope().addToNextScope(List.of("a"));
        assertThat(restarted.scope().inNextScope("c")).isFalse();
        assertThat(restarted.scope().leftScope("c3")).containsExactly("b");
        assertThat(restarted.links().toRefresh("c3", true)).isEmpty();
        restarted.jobState().completeCycle(Map.of(), true, false);
        assertThat(restarted.scope().inCurrentScope("a")).isTrue();
        assertThat(restarted.scope().inCurrentScope("b")).isFalse();
        assertThat(restarted.scope().inCurrentScope("c")).isFalse();

        // c assigned again later is new again; a cycle with no change finds nothing to do.
        restarted.scope().startNextScope();
        restarted.scope().addToNextScope(List.of("a", "c"));
        assertThat(restarted.links().toRefresh("c4", true)).containsExactly("c");
        assertThat(restarted.scope().leftScope("c4")).isEmpty();
        restarted.jobState().completeCycle(Map.of(), true, false);
        restarted.scope().startNextScope();
        restarted.scope().addToNextScope(List.of("c", "a"));
        assertThat(restarted.links().toRefresh("c5", true)).isEmpty();
        assertThat(restarted.scope().leftScope("c5")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCycleWritesOnlyTheScopeRowsThatChanged(TestDatabase.Kind kind) {
        StatementLog writes = new StatementLog();
        Stores store = stores.state(stores.database(kind), writes::wrap);
        List<String> guids = IntStream.range(0, 2500)
                .mapToObj(i -> new java.util.UUID(0x6f1c2d3e0a4b4c5dL, 0x8e9f000000000000L + i).toString()).toList();
        List<String> assigned = new ArrayList<>(guids);
        assigned.add("not-a-guid");
        store.scope().startNextScope();
        store.scope().addToNextScope(assigned);
        store.scope().addToNextGroupScope(List.of("g1"));
        assertThat(store.links().toRefresh("c1", true)).hasSize(2501);
        store.jobState().completeCycle(Map.of(), true, false);
        assertThat(writes.scopeRowsWritten()).isEqualTo(2502);

        // The same scope, read in another order and partly twice (assigned directly and through a group).
        writes.reset();
        store.scope().startNextScope();
        List<String> reversed = new ArrayList<>(assigned);
        java.util.Collections.reverse(reversed);
        store.scope().addToNextScope(reversed);
        store.scope().addToNextScope(guids.subList(0, 100));
        store.scope().addToNextGroupScope(List.of("g1"));
        assertThat(store.scope().leftScope("c2")).isEmpty();
        assertThat(store.links().toRefresh("c2", true)).isEmpty();
        assertThat(store.groups().groupsToProvision(true)).isEmpty();
        store.jobState().completeCycle(Map.of(), true, false);
        assertThat(writes.scopeRowsWritten()).isZero();

        // One user unassigned, one assigned: two rows.
        writes.reset();
        store.scope().startNextScope();
        List<String> next = new ArrayList<>(assigned.subList(1, assigned.size()));
        next.add("e3c1a1f0-9b1d-4a39-a0a1-5c2f7d1e2b3c");
        store.scope().addToNextScope(next);
        store.scope().addToNextGroupScope(List.of("g1"));
        assertThat(store.scope().leftScope("c3")).containsExactly(guids.get(0));
        assertThat(store.links().toRefresh("c3", true)).containsExactly("e3c1a1f0-9b1d-4a39-a0a1-5c2f7d1e2b3c");
        store.jobState().completeCycle(Map.of(), true, false);
        assertThat(writes.scopeRowsWritten()).isEqualTo(2);
        assertThat(store.scope().inCurrentScope(guids.get(0))).isFalse();
        assertThat(store.scope().inCurrentScope("e3c1a1f0-9b1d-4a39-a0a1-5c2f7d1e2b3c")).isTrue();
        assertThat(store.scope().inCurrentScope("not-a-guid")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void afterACompletedCycleTheScopeIsComparedInMemoryAfterAnUnfinishedOneWithTheRows(TestDatabase.Kind kind) {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(kind), log::wrap);
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b"));
        store.jobState().completeCycle(Map.of(), true, false);

        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b", "c"));
        log.reset();
        assertThat(store.links().toRefresh("c2", true)).containsExactly("c");
        assertThat(log.queries()).noneMatch(q -> q.sql().contains(READ_SCOPE_ROWS));

        // c2 stops before its end: the rows hold c, which c3 must find gone, not new, and b, which left.
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a"));
        log.reset();
        assertThat(store.scope().leftScope("c3")).containsExactly("b");
        assertThat(store.links().toRefresh("c3", true)).isEmpty();
        assertThat(log.queries()).anyMatch(q -> q.sql().contains(READ_SCOPE_ROWS));
        store.jobState().completeCycle(Map.of(), true, false);
        assertThat(store.scope().inCurrentScope("a")).isTrue();
        assertThat(store.scope().inCurrentScope("b")).isFalse();
        assertThat(store.scope().inCurrentScope("c")).isFalse();
    }

    private static final String READ_SCOPE_ROWS = "SELECT object_id, left_in FROM prov_scope_member";

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theCycleReadingTheScopeKnowsWhichOfItsUsersItSavedWithoutALookupPerUser(TestDatabase.Kind kind) {
        StatementLog log = new StatementLog();
        Stores store = stores.state(stores.database(kind), log::wrap);
        store.scope().startNextScope("c1");
        store.scope().addToNextScope(List.of("a", "b", "c", "d"));
        store.links().save(ObjectType.USER, new Link("a", "scim-a", "a", true, Map.of(), "c1", null, null));
        // Saved by another run (a provision on demand, say), or not in the scope.
        store.links().save(ObjectType.USER, new Link("b", "scim-b", "b", true, Map.of(), "on-demand", null, null));
        store.links().save(ObjectType.USER, new Link("x", "scim-x", "x", true, Map.of(), "c1", null, null));
        store.links().save(ObjectType.GROUP, new Link("c", "scim-c", "c", true, Map.of(), "c1", null, null));
        log.reset();

        assertThat(store.links().toRefresh("c1", true)).containsExactly("b", "c", "d");
        assertThat(log.queries()).filteredOn(q -> q.sql().contains("prov_scope_member"))
                .isNotEmpty().noneMatch(q -> q.sql().contains("prov_object"));
        // Any other cycle's answer comes from the rows, as it always did: the same for c1's saves.
        assertThat(store.links().toRefresh("on-demand", true)).containsExactly("a", "c", "d");
        assertThat(store.scope().leftScope("c1")).isEmpty();
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b", "c", "d"));
        assertThat(store.links().toRefresh("c1", true)).containsExactly("b", "c", "d");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theScopeIsAddedToUntilItIsRecordedAndNotAfter(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a"));
        assertThat(store.scope().leftScope("c1")).isEmpty();
        assertThatThrownBy(() -> store.scope().addToNextScope(List.of("b")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already recorded");
        assertThat(store.scope().inNextScope("b")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void scopeChangesAreFoundAndTheScopeMovesOnlyWithTheWatermark(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b", "c"));
        store.scope().addToNextScope(List.of("b"));    // assigned directly and through a group
        assertThat(store.links().toRefresh("c1", true)).containsExactly("a", "b", "c");
        store.jobState().completeCycle(Map.of("users-delta", "link-1"), true, false);
        assertThat(store.jobState().watermark("users-delta")).contains("link-1");
        assertThat(store.scope().inCurrentScope("b")).isTrue();

        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("b", "c", "d"));
        store.links().save(ObjectType.USER, new Link("c", "scim-c", "c", true, Map.of(), "c2", null, null));
        store.links().save(ObjectType.USER,
                new Link("x", "scim-x", "x", true, Map.of(), "c1", Link.RETRY_REFRESH, "429"));
        assertThat(store.scope().leftScope("c2")).containsExactly("a");
        assertThat(store.links().toRefresh("c2", true)).containsExactly("d", "x");
        assertThat(store.scope().inNextScope("d")).isTrue();
        assertThat(store.scope().inCurrentScope("d")).isFalse();

        // a crash before the end of the cycle: nothing moved
        assertThat(store.jobState().watermark("users-delta")).contains("link-1");
        store.jobState().completeCycle(Map.of("users-delta", "link-2"), true, false);
        assertThat(store.scope().inCurrentScope("a")).isFalse();
        assertThat(store.scope().inCurrentScope("d")).isTrue();
        assertThat(store.jobState().watermark("users-delta")).contains("link-2");
        store.jobState().putWatermark("users-delta", null);
        assertThat(store.jobState().watermark("users-delta")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void usersWhoseAppRolesAloneChangedAreRefreshed(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.scope().startNextScope();
        store.appRoles().startNextRoles();
        store.scope().addToNextScope(List.of("a", "b", "c"));
        store.appRoles().addToNextRoles(List.of(new AppRoleStore.RoleAssignment("a", "r1", "Admin", "admin"),
                new AppRoleStore.RoleAssignment("b", "r1", "Admin", "admin"),
                new AppRoleStore.RoleAssignment("b", "r1", "Admin", "admin"),   // directly and through a group
                new AppRoleStore.RoleAssignment("c", "r2", "Reader", null)));
        assertThat(store.appRoles().appRoleAssignments("b", false)).containsExactly(
                Map.of("id", "r1", "displayName", "Admin", "value", "admin"));
        store.jobState().completeCycle(Map.of("users-delta", "link-1"), true, true);
        assertThat(store.appRoles().appRoleAssignments("b", true)).hasSize(1);

        store.scope().startNextScope();
        store.appRoles().startNextRoles();
        store.scope().addToNextScope(List.of("a", "b", "c"));
        store.appRoles().addToNextRoles(List.of(
                new AppRoleStore.RoleAssignment("a", "r1", "Administrator", "admin"),  // renamed
                new AppRoleStore.RoleAssignment("b", "r1", "Admin", "admin"),
                new AppRoleStore.RoleAssignment("c", "r2", "Reader", null),
                new AppRoleStore.RoleAssignment("c", "r3", "Writer", "writer")));      // added
        assertThat(store.links().toRefresh("c2", true, true)).containsExactly("a", "c");
        assertThat(store.links().toRefresh("c2", true, false)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aLargeScopeIsWrittenInBatches(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.scope().startNextScope();
        List<String> ids = IntStream.range(0, 5000).mapToObj(i -> "user-" + i).toList();
        store.scope().addToNextScope(ids);
        assertThat(store.links().toRefresh("c1", true)).hasSize(5000);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theScopeOfManyUsersIsReadAtOnceFromTheRunningGenerationOnly(TestDatabase.Kind kind) {
        Stores store = stores.state(stores.database(kind));
        store.scope().startNextScope();
        store.scope().addToNextScope(List.of("a", "b"));
        store.jobState().completeCycle(Map.of(), true, false);
        store.scope().startNextScope();
        List<String> many = IntStream.range(0, 1100).mapToObj(i -> "n" + i).toList();
        List<String> assigned = new ArrayList<>(List.of("b", "c"));
        assigned.addAll(many.subList(0, 1000));
        store.scope().addToNextScope(assigned);
        store.scope().addToNextGroupScope(List.of("d"));

        List<String> asked = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        asked.addAll(many);

        assertThat(store.scope().inNextScope(asked)).containsExactlyInAnyOrderElementsOf(assigned);
        for (String id : List.of("a", "b", "c", "d", "e", "n999", "n1000")) {
            assertThat(store.scope().inNextScope(List.of(id))).as(id).hasSize(store.scope().inNextScope(id) ? 1 : 0);
        }
    }
}
