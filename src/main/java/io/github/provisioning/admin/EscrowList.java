package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.state.Escrow;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.LinkStore;
import org.apache.camel.Header;

/**
 * {@code GET /api/escrow}: the users and groups in escrow, as Entra's "quarantined objects" view lists them: the
 * counts the status gives, then the first {@code limit} objects, the soonest retry first, the permanent failures
 * last, each with its attempts, next retry and last error.
 */
public final class EscrowList {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkStore links;

    public EscrowList(LinkStore links) {
        this.links = links;
    }

    public ApiReply list(@Header("limit") String limit) {
        int listed = ListLimit.parse(limit);
        if (listed < 0) {
            return ListLimit.invalid();
        }
        LinkStore.EscrowCounts counts = links.escrowCounts();
        ObjectNode reply = JSON.createObjectNode();
        reply.put("escrows", counts.total());
        reply.put("waiting", counts.waiting());
        reply.put("permanent", counts.permanent());
        ArrayNode objects = reply.putArray("objects");
        for (LinkStore.Escrowed row : links.escrowed(listed)) {
            Link link = row.link();
            Escrow escrow = link.escrow();
            ObjectNode object = objects.addObject();
            object.put("objectType", row.objectType());
            object.put("sourceId", link.sourceId());
            object.put("matchValue", link.matchValue());
            object.put("targetId", link.targetId());
            object.put("action", link.retryAction());
            // A retry that follows no failure (a pending manager reference) has no attempts and is due next cycle.
            object.put("attempts", escrow == null ? 0 : escrow.attempts());
            object.put("permanent", escrow != null && escrow.permanent());
            object.put("nextRetry", escrow == null || escrow.nextRetry() == null ? null : escrow.nextRetry().toString());
            object.put("lastError", link.lastError());
            object.put("updatedAt", row.updatedAt().toString());
        }
        reply.put("count", objects.size());
        reply.put("limit", listed);
        reply.put("more", objects.size() == listed && counts.total() > listed);
        return new ApiReply(200, reply);
    }
}
