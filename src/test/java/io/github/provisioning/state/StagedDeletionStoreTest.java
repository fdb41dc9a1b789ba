package io.github.provisioning.state;

import static org.assertj.core.api.Assertions.assertThat;


import java.time.Instant;
import java.util.ArrayList;
import java.util.List;


import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The accidental-deletion guard's rows, on embedded H2 and on PostgreSQL: stage, hold, approve, reject, page. */
class StagedDeletionStoreTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    private StateStore store(TestDatabase.Kind kind) {
        return stores.store(kind);
    }

    private static StagedDeletion staged(String id, String action, String cycle) {
        return StagedDeletion.staged(id, action, action.equals("delete") ? "HARD_DELETED" : "LEFT_SCOPE",
                "why " + id, id + "@contoso.example", "t-" + id, cycle, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void stagingTwiceKeepsOneRowWithTheNewerActionAndCycle(TestDatabase.Kind kind) {
        StateStore store = store(kind);
        store.stageDeletion(staged("u1", "disable", "c1"));
        store.stageDeletion(staged("u1", "delete", "c2"));

        assertThat(store.pendingDeletions()).isEqualTo(1);
        List<StagedDeletion> rows = store.stagedDeletions(false, true, null, 10);
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
        assertThat(store.stagedDeletions(false, false, null, 10)).isEmpty();

        assertThat(store.approveHeldDeletions()).isEqualTo(3);
        assertThat(store.heldDeletions()).isEqualTo(new StagedDeletion.Held(0, null));
        // Approved rows are released, but never counted against the threshold again.
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.stagedDeletions(false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3");
        assertThat(store.stagedDeletions(false, false, null, 10)).allMatch(StagedDeletion::approved);

        store.stageDeletion(staged("u4", "disable", "c3"));
        store.holdPendingDeletions();
        assertThat(store.approveHeldDeletions()).isEqualTo(1);
        store.stageDeletion(staged("u5", "disable", "c3"));
        store.holdPendingDeletions();
        assertThat(store.rejectHeldDeletions()).isEqualTo(1);
        assertThat(store.stagedDeletions(false, false, null, 10)).extracting(StagedDeletion::sourceId)
                .containsExactly("u1", "u2", "u3", "u4");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void pagesFollowTheSourceIdAndADroppedRowIsGone(TestDatabase.Kind kind) {
        StateStore store = store(kind);
        for (int i = 0; i < 7; i++) {
            store.stageDeletion(staged("u" + i, "disable", "c1"));
        }
        store.dropStagedDeletion("u3");
        List<String> seen = new ArrayList<>();
        String after = null;
        List<StagedDeletion> page;
        while (!(page = store.stagedDeletions(false, true, after, 2)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            page.forEach(row -> seen.add(row.sourceId()));
            after = page.get(page.size() - 1).sourceId();
        }
        assertThat(seen).containsExactly("u0", "u1", "u2", "u4", "u5", "u6");
    }
}
