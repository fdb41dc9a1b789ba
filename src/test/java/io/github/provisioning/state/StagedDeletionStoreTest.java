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

    private StateStore store(TestDatabase.Kind kind) {
        return stores.store(kind);
    }

    private static StagedDeletion staged(String id, String action, String cycle) {
        return StagedDeletion.staged(StateStore.USER, id, action, action.equals("delete") ? "HARD_DELETED" : "LEFT_SCOPE",
                "why " + id, id + "@contoso.example", "t-" + id, cycle, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void stagingTwiceKeepsOneRowWithTheNewerActionAndCycle(TestDatabase.Kind kind) {
        StateStore store = store(kind);
        store.stageDeletion(staged("u1", "disable", "c1"));
        store.stageDeletion(staged("u1", "delete", "c2"));

        assertThat(store.pendingDeletions()).isEqualTo(1);
        List<StagedDeletion> rows = store.stagedDeletions(StateStore.USER, false, true, null, 10);
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
        StateStore store = store(kind);
        for (String id : List.of("u1", "u2", "u3")) {
            store.stageDeletion(staged(id, "disable", "c1"));
        }
        assertThat(store.holdPendingDeletions()).isEqualTo(3);
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.heldDeletions()).isEqualTo(new StagedDeletion.Held(3,
                Instant.parse("2026-01-01T00:00:00Z")));
        store.stageDeletion(staged("u1", "delete", "c2"));
        assertThat(store.heldDeletions().count()).isEqualTo(3);
        assertThat(store.stagedDeletions(StateStore.USER, false, false, null, 10)).isEmpty();

        assertThat(store.approveHeldDeletions()).isEqualTo(3);
        assertThat(store.heldDeletions()).isEqualTo(new StagedDeletion.Held(0, null));
        // Approved rows are released, but never counted against the threshold again.
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.stagedDeletions(StateStore.USER, false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3");
        assertThat(store.stagedDeletions(StateStore.USER, false, false, null, 10)).allMatch(StagedDeletion::approved);

        store.stageDeletion(staged("u4", "disable", "c3"));
        store.holdPendingDeletions();
        assertThat(store.approveHeldDeletions()).isEqualTo(1);
        store.stageDeletion(staged("u5", "disable", "c3"));
        store.holdPendingDeletions();
        assertThat(store.rejectHeldDeletions()).isEqualTo(1);
        assertThat(store.stagedDeletions(StateStore.USER, false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3", "u4");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void pagesFollowTheSourceIdAndADroppedRowIsGone(TestDatabase.Kind kind) {
        StateStore store = store(kind);
        for (int i = 0; i < 7; i++) {
            store.stageDeletion(staged("u" + i, "disable", "c1"));
        }
        store.dropStagedDeletion(StateStore.USER, "u3");
        List<String> seen = new ArrayList<>();
        String after = null;
        List<StagedDeletion> page;
        while (!(page = store.stagedDeletions(StateStore.USER, false, true, after, 2)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            page.forEach(row -> seen.add(row.sourceId()));
            after = page.get(page.size() - 1).sourceId();
        }
        assertThat(seen).containsExactly("u0", "u1", "u2", "u4", "u5", "u6");
    }

    private static StagedDeletion groupDelete(String id, String cycle) {
        return StagedDeletion.staged(StateStore.GROUP, id, StagedDeletion.DELETE, "SOFT_DELETED", "why " + id,
                "Group " + id, "t-" + id, cycle, Instant.parse("2026-01-02T00:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void groupsAreCountedHeldApprovedAndRejectedWithTheUsers(TestDatabase.Kind kind) {
        StateStore store = store(kind);
        store.stageDeletion(staged("x1", "disable", "c1"));
        // Graph ids are unique across object types, but a row is keyed by both: one of each is two rows.
        store.stageDeletion(groupDelete("x1", "c1"));
        store.stageDeletion(groupDelete("g2", "c1"));
        store.stageDeletion(groupDelete("g2", "c1"));

        assertThat(store.pendingDeletions()).isEqualTo(3);
        assertThat(store.stagedDeletions(StateStore.USER, false, true, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("x1");
        List<StagedDeletion> groups = store.stagedDeletions(StateStore.GROUP, false, true, null, 10);
        assertThat(groups).extracting(StagedDeletion::sourceId).containsExactly("g2", "x1");
        assertThat(groups.get(0)).satisfies(row -> {
            assertThat(row.objectType()).isEqualTo(StateStore.GROUP);
            assertThat(row.sourceIdentity()).isEqualTo("Group g2");
            assertThat(row.action()).isEqualTo(StagedDeletion.DELETE);
            assertThat(row.changeKind()).isEqualTo("SOFT_DELETED");
        });
        assertThat(store.holdPendingDeletions()).isEqualTo(3);
        assertThat(store.heldDeletions()).isEqualTo(new StagedDeletion.Held(3, Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(store.stagedDeletions(StateStore.GROUP, true, false, null, 10)).hasSize(2);

        assertThat(store.approveHeldDeletions()).isEqualTo(3);
        assertThat(store.heldDeletions().count()).isZero();
        store.dropStagedDeletion(StateStore.GROUP, "x1");
        assertThat(store.stagedDeletions(StateStore.USER, false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("x1");
        assertThat(store.stagedDeletions(StateStore.GROUP, false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("g2");

        store.stageDeletion(groupDelete("g3", "c2"));
        store.stageDeletion(staged("u3", "delete", "c2"));
        store.holdPendingDeletions();
        assertThat(store.rejectHeldDeletions()).isEqualTo(2);
        assertThat(store.stagedDeletions(StateStore.GROUP, false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("g2");
    }

    @Test
    void aGroupIsNeverDisabled() {
        assertThatThrownBy(() -> StagedDeletion.staged(StateStore.GROUP, "g1", StagedDeletion.DISABLE, "LEFT_SCOPE",
                "why", "Sales", "t-g1", "c1", Instant.now())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groups have no disable");
        assertThatThrownBy(() -> StagedDeletion.staged("device", "d1", StagedDeletion.DELETE, "HARD_DELETED", "why",
                null, "t-d1", "c1", Instant.now())).isInstanceOf(IllegalArgumentException.class);
    }
}
