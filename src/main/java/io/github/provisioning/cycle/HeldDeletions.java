package io.github.provisioning.cycle;

import io.github.provisioning.state.StagedDeletion;
import java.time.Instant;
import java.util.List;

/**
 * What a cycle held because its disables and deletes were above {@code provisioning.deletion-threshold}: the facts
 * of the e-mail that asks an admin to approve or reject them.
 *
 * @param stagedUsers  how many user disables and deletes this cycle staged and held
 * @param stagedGroups how many group deletes this cycle staged and held
 * @param held         how many are held in all now (earlier held ones included): what an approval would send
 * @param since        when the oldest held one was staged
 * @param first        the first held ones, users then groups, each in source id order, at most {@code
 *                     notify.max-failures-listed}
 */
public record HeldDeletions(String cycleId, int stagedUsers, int stagedGroups, int held, int threshold,
                            Instant since, List<StagedDeletion> first) {

    public HeldDeletions {
        first = List.copyOf(first);
    }

    /** How many disables and deletes this cycle staged and held, users and groups together. */
    public int staged() {
        return stagedUsers + stagedGroups;
    }
}
