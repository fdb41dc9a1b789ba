package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cycle's counts (the deletion guard's staged count shows only when the guard held something) and its round. */
class CycleRunTest {

    @Test
    void stagedIsCountedOnlyWhenSomethingWasHeld() {
        CycleRun cycle = new CycleRun("c1", CycleRun.Type.INCREMENTAL, Instant.EPOCH);
        cycle.count(CycleRun.Outcome.DISABLED);

        assertThat(cycle.counts()).containsOnlyKeys(CycleRun.Outcome.CREATED, CycleRun.Outcome.UPDATED,
                CycleRun.Outcome.DISABLED, CycleRun.Outcome.DELETED, CycleRun.Outcome.SKIPPED,
                CycleRun.Outcome.FAILED, CycleRun.Outcome.PERMANENT);
        assertThat(cycle.groupCounts()).doesNotContainKey(CycleRun.Outcome.STAGED);

        cycle.count(CycleRun.Outcome.STAGED);
        cycle.count(CycleRun.Outcome.STAGED);

        assertThat(cycle.counts()).containsEntry(CycleRun.Outcome.STAGED, 2).containsEntry(CycleRun.Outcome.DISABLED, 1);
    }

    @Test
    void anInitialCycleReadsAFullRoundOfItsOwnAndAnExpiredTokenStartsAnother() {
        CycleRun initial = new CycleRun("c1", CycleRun.Type.INITIAL, Instant.EPOCH);
        CycleRun incremental = new CycleRun("c2", CycleRun.Type.INCREMENTAL, Instant.EPOCH);

        assertThat(initial.fullRound()).isTrue();
        assertThat(initial.roundId()).isEqualTo("c1");
        assertThat(incremental.fullRound()).isFalse();
        assertThat(incremental.roundId()).isEqualTo("c2");

        incremental.usersRound().start("r2", true);
        assertThat(incremental.fullRound()).isTrue();
        assertThat(incremental.roundId()).isEqualTo("r2");
        assertThat(incremental.id()).isEqualTo("c2");
    }
}
