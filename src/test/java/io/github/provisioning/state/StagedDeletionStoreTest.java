package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The accidental-deletion guard's rows, on embedded H2 and on PostgreSQL: stage, hold, approve, reject, page; users
 * and groups alike.
 */
class StagedDeletionStoreTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    private Stores store(TestDatabase.Kind kind) {
        return stores.state(kind);
    }

    private static StagedDeletion staged(String id, String action, String cycle) {
        return StagedDeletion.staged(ObjectType.USER, id, action,
                action.equals("delete") ? "HARD_DELETED" : "LEFT_SCOPE", "why " + id, id + "@contoso.example",
                "t-" + id, cycle, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void stagingTwiceKeepsOneRowWithTheNewerActionAndCycle(TestDatabase.Kind kind) {
        Stores store = store(kind);
        store.deletions().stageDeletion(staged("u1", "disable", "c1"));
        store.deletions().stageDeletion(staged("u1", "delete", "c2"));

        assertThat(store.deletions().pendingDeletions()).isEqualTo(1);
        List<StagedDeletion> rows = store.deletions().stagedDeletions(ObjectType.USER, false, true, null, 10);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.action()).isEqualTo("delete");
            assertThat(row.changeKind()).isEqualTo("HARD_DELETED");
            assertThat(row.cycleId()).isEqualTo("c2");
            assertThat(row.sourceIdentity()).isEqualTo("u1@contoso.example");
            assertThat(row.targetId()).isEqualTo("t-u1");
            assertThat(row.stagedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(row.held()).isFalse();
            assertThat(row.approved()).isFalse();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void heldRowsWaitUntilApprovedOrRejectedAndStagingAgainKeepsThemHeld(TestDatabase.Kind kind) {
        Stores store = store(kind);
        for (String id : List.of("u1", "u2", "u3")) {
            store.deletions().stageDeletion(staged(id, "disable", "c1"));
        }
        assertThat(store.deletions().holdPendingDeletions()).isEqualTo(3);
        assertThat(store.deletions().pendingDeletions()).isZero();
        assertThat(store.deletions().heldDeletions()).isEqualTo(new StagedDeletion.Held(3,
                Instant.parse("2026-01-01T00:00:00Z")));
        store.deletions().stageDeletion(staged("u1", "delete", "c2"));
        assertThat(store.deletions().heldDeletions().count()).isEqualTo(3);
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, false, null, 10)).isEmpty();

        assertThat(store.deletions().approveHeldDeletions()).isEqualTo(3);
        assertThat(store.deletions().heldDeletions()).isEqualTo(new StagedDeletion.Held(0, null));
        // Approved rows are released, but never counted against the threshold again.
        assertThat(store.deletions().pendingDeletions()).isZero();
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, false, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3");
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, false, null, 10))
                .allMatch(StagedDeletion::approved);

        store.deletions().stageDeletion(staged("u4", "disable", "c3"));
        store.deletions().holdPendingDeletions();
        assertThat(store.deletions().approveHeldDeletions()).isEqualTo(1);
        store.deletions().stageDeletion(staged("u5", "disable", "c3"));
        store.deletions().holdPendingDeletions();
        assertThat(store.deletions().rejectHeldDeletions()).isEqualTo(1);
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, false, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3", "u4");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void pagesFollowTheSourceIdAndADroppedRowIsGone(TestDatabase.Kind kind) {
        Stores store = store(kind);
        for (int i = 0; i < 7; i++) {
            store.deletions().stageDeletion(staged("u" + i, "disable", "c1"));
        }
        store.deletions().dropStagedDeletion(ObjectType.USER, "u3");
        List<String> seen = new ArrayList<>();
        String after = null;
        List<StagedDeletion> page;
        while (!(page = store.deletions().stagedDeletions(ObjectType.USER, false, true, after, 2)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            page.forEach(row -> seen.add(row.sourceId()));
            after = page.get(page.size() - 1).sourceId();
        }
        assertThat(seen).containsExactly("u0", "u1", "u2", "u4", "u5", "u6");
    }

    private static StagedDeletion groupDelete(String id, String cycle) {
        return StagedDeletion.staged(ObjectType.GROUP, id, StagedDeletion.DELETE, "SOFT_DELETED", "why " + id,
                "Group " + id, "t-" + id, cycle, Instant.parse("2026-01-02T00:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void groupsAreCountedHeldApprovedAndRejectedWithTheUsers(TestDatabase.Kind kind) {
        Stores store = store(kind);
        store.deletions().stageDeletion(staged("x1", "disable", "c1"));
        // Graph ids are unique across object types, but a row is keyed by both: one of each is two rows.
        store.deletions().stageDeletion(groupDelete("x1", "c1"));
        store.deletions().stageDeletion(groupDelete("g2", "c1"));
        store.deletions().stageDeletion(groupDelete("g2", "c1"));

        assertThat(store.deletions().pendingDeletions()).isEqualTo(3);
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, true, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("x1");
        List<StagedDeletion> groups = store.deletions().stagedDeletions(ObjectType.GROUP, false, true, null, 10);
        assertThat(groups).extracting(StagedDeletion::sourceId).containsExactly("g2", "x1");
        assertThat(groups.get(0)).satisfies(row -> {
            assertThat(row.objectType()).isEqualTo(ObjectType.GROUP);
            assertThat(row.sourceIdentity()).isEqualTo("Group g2");
            assertThat(row.action()).isEqualTo(StagedDeletion.DELETE);
            assertThat(row.changeKind()).isEqualTo("SOFT_DELETED");
        });
        assertThat(store.deletions().holdPendingDeletions()).isEqualTo(3);
        assertThat(store.deletions().heldDeletions())
                .isEqualTo(new StagedDeletion.Held(3, Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(store.deletions().stagedDeletions(ObjectType.GROUP, true, false, null, 10)).hasSize(2);

        assertThat(store.deletions().approveHeldDeletions()).isEqualTo(3);
        assertThat(store.deletions().heldDeletions().count()).isZero();
        store.deletions().dropStagedDeletion(ObjectType.GROUP, "x1");
        assertThat(store.deletions().stagedDeletions(ObjectType.USER, false, false, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("x1");
        assertThat(store.deletions().stagedDeletions(ObjectType.GROUP, false, false, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("g2");

        store.deletions().stageDeletion(groupDelete("g3", "c2"));
        store.deletions().stageDeletion(staged("u3", "delete", "c2"));
        store.deletions().holdPendingDeletions();
        assertThat(store.deletions().rejectHeldDeletions()).isEqualTo(2);
        assertThat(store.deletions().stagedDeletions(ObjectType.GROUP, false, false, null, 10))
                .extracting(StagedDeletion::sourceId)
                .containsExactly("g2");
    }

    @Test
    void aGroupIsNeverDisabled() {
        assertThatThrownBy(() -> StagedDeletion.staged(ObjectType.GROUP, "g1", StagedDeletion.DISABLE, "LEFT_SCOPE",
                "why", "Sales", "t-g1", "c1", Instant.now())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groups have no disable");
        assertThatThrownBy(() -> StagedDeletion.staged("device", "d1", StagedDeletion.DELETE, "HARD_DELETED", "why",
                null, "t-d1", "c1", Instant.now())).isInstanceOf(IllegalArgumentException.class);
    }
}
