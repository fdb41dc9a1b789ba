package io.github.provisioning.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The attribute-based scoping filters of one object type (Entra "Source object scope"). Entra: clauses within one
 * scoping filter are ANDed; separate scoping filters are ORed. No filter at all puts every object in scope.
 *
 * @param filters the scoping filters, in file order; empty when none is configured
 */
public record ScopingFilter(List<Group> filters) {

    /** No attribute-based scoping: the assignment scope alone decides. */
    public static final ScopingFilter NONE = new ScopingFilter(List.of());

    /**
     * One Entra scoping filter: in scope when every clause holds.
     *
     * @param title   Entra's "Scoping Filter Title"; null when not given
     * @param clauses at least one clause
     */
    public record Group(String title, List<ScopingClause> clauses) {
        public Group {
            clauses = List.copyOf(clauses);
            if (clauses.isEmpty()) {
                throw new IllegalArgumentException("a scoping filter needs at least one clause");
            }
        }

        public boolean matches(SourceAttributes source) {
            return clauses.stream().allMatch(c -> c.holdsFor(source));
        }
    }

    /**
     * Whether an object is in scope.
     *
     * @param inScope whether it is
     * @param reason  when it is not, the clauses that failed, e.g. {@code department EQUALS Sales}; null otherwise
     */
    public record Decision(boolean inScope, String reason) {
        public static final Decision IN_SCOPE = new Decision(true, null);
    }

    public ScopingFilter {
        filters = List.copyOf(filters);
    }

    public boolean isEmpty() {
        return filters.isEmpty();
    }

    public Decision evaluate(SourceAttributes source) {
        Objects.requireNonNull(source);
        if (filters.isEmpty() || filters.stream().anyMatch(f -> f.matches(source))) {
            return Decision.IN_SCOPE;
        }
        // Out of scope: name the clauses that failed in each filter, e.g. "Sales: department EQUALS Sales;
        // Managers: jobTitle REGEX MATCH .*Manager$".
        List<String> perFilter = new ArrayList<>();
        for (Group filter : filters) {
            List<String> failed = filter.clauses().stream().filter(c -> !c.holdsFor(source))
                    .map(ScopingClause::toString).toList();
            String clauses = String.join(" and ", failed);
            perFilter.add(filter.title() == null ? clauses : filter.title() + ": " + clauses);
        }
        return new Decision(false, String.join("; ", perFilter));
    }

    /** Every Entra attribute the clauses read: they must be in Graph's {@code $select}. */
    public void collectAttributes(Set<String> into) {
        filters.forEach(f -> f.clauses().forEach(c -> c.collectAttributes(into)));
    }
}
