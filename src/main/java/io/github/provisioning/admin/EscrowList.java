package io.github.provisioning.admin;

import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.EscrowStore;
import io.github.provisioning.state.Link;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Header;

/**
 * {@code GET /api/escrow}: the users and groups in escrow, as Entra's "quarantined objects" view lists them: the
 * counts the status gives, then the first {@code limit} objects, the soonest retry first, the permanent failures
 * last, each with its attempts, next retry and last error.
 */
public final class EscrowList {

    private final EscrowStore escrows;

    public EscrowList(EscrowStore escrows) {
        this.escrows = escrows;
    }

    public ApiReply list(@Header("limit") String limit) {
        int listed = ListLimit.parse(limit);
        if (listed < 0) {
            return ListLimit.invalid();
        }
        EscrowStore.EscrowCounts counts = escrows.escrowCounts();
        List<EscrowedObject> objects = new ArrayList<>();
        for (EscrowStore.Escrowed row : escrows.escrowed(listed)) {
            Link link = row.link();
            Escrow escrow = link.escrow();
            // A retry that follows no failure (a pending manager reference) has no attempts and is due next cycle.
            objects.add(new EscrowedObject(row.objectType(), link.sourceId(), link.matchValue(), link.targetId(),
                    link.retryAction(), escrow == null ? 0 : escrow.attempts(), escrow != null && escrow.permanent(),
                    escrow == null || escrow.nextRetry() == null ? null : escrow.nextRetry().toString(),
                    link.lastError(), row.updatedAt().toString()));
        }
        return new ApiReply(200, new EscrowListing(counts.total(), counts.waiting(), counts.permanent(), objects,
                objects.size(), listed, objects.size() == listed && counts.total() > listed));
    }

    /** The counts the status gives, then the objects listed, how many, the limit, and whether more are in escrow. */
    public record EscrowListing(int escrows, int waiting, int permanent, List<EscrowedObject> objects, int count,
                                int limit, boolean more) {
    }

    /**
     * One user or group in escrow.
     *
     * @param action    the write to retry
     * @param nextRetry null when it is due next cycle, or permanent
     */
    public record EscrowedObject(String objectType, String sourceId, String matchValue, String targetId,
                                 String action, int attempts, boolean permanent, String nextRetry, String lastError,
                                 String updatedAt) {
    }
}
