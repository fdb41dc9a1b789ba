package io.github.provisioning.cycle;

import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.CreateIntent;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.LinkStore;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.ScopeStore;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the state store holds for the users of one delta page, read with one query per kind before the page's users
 * are provisioned in parallel: their links, whether they are in the running scope, and the links of the managers
 * they name. Without it every user costs its own queries, a quarter of the engine's CPU in an initial cycle.
 *
 * <p>Current for the whole page because nothing else writes these rows while it runs: a page's users are
 * provisioned one thread each and the next page waits for the split to end (a user Graph sends again on a later
 * page is read again with that page; the create intents stored for the page before the split are kept here, not
 * read back); provision on demand and restarts wait for the cycle; the scope is read before
 * the users. Two exceptions, answered by {@link #covers} and {@link #knowsManager} being false so that the caller
 * reads the store itself: an id the page holds twice (two plans of one user would race on its link), and a manager
 * who is on the same page (provisioned meanwhile).
 */
public final class PageState {

    /** The exchange property {@code read-user-changes} holds it in while the page's users are provisioned. */
    public static final String PROPERTY = "pageState";

    /** Users on the page once, whose link (or lack of one) and scope this snapshot answers for. */
    private final Set<String> users;
    /** Links of {@link #users} and {@link #managers}; an id without a link is absent. */
    private final Map<String, Link> links;
    /** Of {@link #users}, those in the running scope; null: scope all, every user is in scope. */
    private final Set<String> inScope;
    /** Managers the page's users name that are not on the page themselves. */
    private final Set<String> managers;
    /** The create intents stored for the page's users before any was provisioned; set once, before the split. */
    private volatile Map<String, CreateIntent> intents = Map.of();

    private PageState(Set<String> users, Map<String, Link> links, Set<String> inScope, Set<String> managers) {
        this.users = Set.copyOf(users);
        this.links = Map.copyOf(links);
        this.inScope = inScope == null ? null : Set.copyOf(inScope);
        this.managers = Set.copyOf(managers);
    }

    /**
     * @param assignedScope whether the scope is assigned users (else everyone is in scope, nothing to read)
     * @param readsManager  whether the mapping reads {@code manager}: then the managers' links are read too
     */
    public static PageState read(LinkStore links, ScopeStore scope, List<SourceChange> changes, boolean assignedScope,
                                 boolean readsManager) {
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (SourceChange change : changes) {
            if (!seen.add(change.id())) {
                repeated.add(change.id());
            }
        }
        Set<String> users = new LinkedHashSet<>(seen);
        users.removeAll(repeated);
        Set<String> managers = new LinkedHashSet<>();
        if (readsManager) {
            for (SourceChange change : changes) {
                if (change.graph() != null && new EntraUser(change.graph(), false).get(EntraUser.MANAGER)
                        instanceof String manager && !seen.contains(manager)) {
                    managers.add(manager);
                }
            }
        }
        Set<String> read = new LinkedHashSet<>(users);
        read.addAll(managers);
        return new PageState(users, links.links(ObjectType.USER, read),
                assignedScope ? scope.inNextScope(users) : null, managers);
    }

    /** Whether this snapshot answers {@link #link} and {@link #inScope} for the user. */
    public boolean covers(String userId) {
        return users.contains(userId);
    }

    /** The user's link as the page started; only for a user it {@link #covers}. */
    public Optional<Link> link(String userId) {
        requireCovered(userId);
        return Optional.ofNullable(links.get(userId));
    }

    /** Whether the user is in the running cycle's scope; only for a user it {@link #covers}. */
    public boolean inScope(String userId) {
        requireCovered(userId);
        return inScope == null || inScope.contains(userId);
    }

    /** The create intents of the page's users are stored, all in one commit. */
    public void intentsStored(Map<String, CreateIntent> stored) {
        intents = Map.copyOf(stored);
    }

    /** The create intent stored for the user with the page, if any. */
    public Optional<CreateIntent> intent(String userId) {
        return Optional.ofNullable(intents.get(userId));
    }

    /** Whether this snapshot answers {@link #manager} for the id: a manager named on the page and not on it. */
    public boolean knowsManager(String managerId) {
        return managers.contains(managerId);
    }

    /** The manager's link; only for one it {@link #knowsManager knows}. */
    public Optional<Link> manager(String managerId) {
        if (!knowsManager(managerId)) {
            throw new IllegalArgumentException("not a manager this page read: " + managerId);
        }
        return Optional.ofNullable(links.get(managerId));
    }

    private void requireCovered(String userId) {
        if (!covers(userId)) {
            throw new IllegalArgumentException("not a user this page read once: " + userId);
        }
    }
}
