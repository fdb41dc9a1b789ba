package io.github.provisioning.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One user as a cycle sees it: a Graph delta entry, a user fetched by id, or a user known only by id because it
 * left the assignment scope.
 *
 * @param id    the Graph object id
 * @param graph the user's selected properties; null unless kind is PRESENT
 * @param kind  what happened to it
 */
public record SourceChange(String id, ObjectNode graph, Kind kind) {

    public enum Kind {
        /** A current user (new, changed, restored, or re-read). */
        PRESENT,
        /** Graph delta {@code @removed: changed}: soft-deleted, restorable. Entra disables the account. */
        SOFT_DELETED,
        /** Graph delta {@code @removed: deleted}: permanently deleted. Entra deletes the account. */
        HARD_DELETED,
        /** Re-read by id and not found: deleted, or soft-deleted (which Graph hides from /users). */
        NOT_FOUND,
        /** No longer assigned to the application; the user itself did not change. */
        LEFT_SCOPE
    }

    public static SourceChange present(ObjectNode graph) {
        return new SourceChange(graph.path("id").asText(), graph, Kind.PRESENT);
    }

    public String userPrincipalName() {
        return graph == null ? null : graph.path("userPrincipalName").asText(null);
    }
}
