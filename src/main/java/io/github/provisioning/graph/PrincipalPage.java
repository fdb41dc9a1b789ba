package io.github.provisioning.graph;

import java.util.List;

/**
 * One page of an appRoleAssignedTo or group members list: the principals on it, in the page's order.
 *
 * @param principals the assigned principals (with their app role) or the group's direct members
 * @param nextLink   the whole URL of the next page, or null on the last page
 */
public record PrincipalPage(List<GraphResponses.Principal> principals, String nextLink) implements Paged {
    public PrincipalPage {
        principals = List.copyOf(principals);
    }
}
