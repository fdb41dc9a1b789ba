package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cycle's counts: the deletion guard's staged count shows only when the guard held something. */
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
}
