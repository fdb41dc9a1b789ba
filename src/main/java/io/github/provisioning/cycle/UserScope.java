package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.mapping.ObjectMapping;

/**
 * Entra's scope rule for a user: assigned to the application (or scope "all"), enabled, and inside the scoping
 * filters. A user outside it is disabled if it was provisioned and never created.
 */
public final class UserScope {

    private UserScope() {
    }

    /** @return null when the user is in scope, else why not */
    public static String outOfScopeReason(ObjectNode graphUser, boolean assigned, ObjectMapping mapping) {
        return outOfScopeReason(new EntraUser(graphUser, false), assigned, mapping);
    }

    /** @return null when the user is in scope, else why not */
    public static String outOfScopeReason(EntraUser user, boolean assigned, ObjectMapping mapping) {
        ObjectNode graphUser = user.graph();
        if (!assigned) {
            return "not assigned to the application";
        }
        if (graphUser.path("accountEnabled").isBoolean() && !graphUser.get("accountEnabled").asBoolean()) {
            return "account disabled in Entra ID";
        }
        // Entra: a user that fails every scoping filter is out of scope, like an unassigned one.
        var scoping = mapping.scoping().evaluate(user);
        if (!scoping.inScope()) {
            return "outside the scoping filter: " + scoping.reason();
        }
        return null;
    }
}
