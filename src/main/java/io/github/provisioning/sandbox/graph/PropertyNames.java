package io.github.provisioning.sandbox.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The Graph names of one kind of property ({@link UserProperty}, {@link GroupProperty}), read as Graph reads them. */
final class PropertyNames<P> {

    /**
     * A parsed $select. {@code canonical} lists what was asked for once each, in Graph's spelling and in the order
     * first asked for ("" when nothing was); {@code otherNames} holds the names asked for that are not properties.
     */
    record Selected<P>(List<P> properties, Set<String> otherNames, String canonical) {
    }

    private final Function<P, String> graphName;
    private final Map<String, P> byLowerCaseName;

    PropertyNames(P[] properties, Function<P, String> graphName) {
        this.graphName = graphName;
        this.byLowerCaseName = Arrays.stream(properties).collect(Collectors.toUnmodifiableMap(
                p -> graphName.apply(p).toLowerCase(Locale.ROOT), Function.identity()));
    }

    /** Graph matches property names without regard to case. */
    Optional<P> find(String name) {
        return Optional.ofNullable(byLowerCaseName.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * Reads a comma-separated $select; empty names are skipped.
     *
     * @param entity names the entity in the error for an unknown property, e.g. "user"
     * @param otherNames names that select something other than a property, in Graph's spelling: the key "id", a
     *                   navigation such as "members"
     * @throws GraphError 400 for a name that is neither a property nor one of {@code otherNames}
     */
    Selected<P> parseSelect(String select, String entity, String... otherNames) {
        Set<P> properties = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        for (String name : select.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            Optional<String> other = Arrays.stream(otherNames).filter(trimmed::equalsIgnoreCase).findFirst();
            if (other.isPresent()) {
                if (others.add(other.get())) {
                    names.add(other.get());
                }
                continue;
            }
            P property = find(trimmed).orElseThrow(() -> GraphError.unknownProperty(trimmed, entity));
            if (properties.add(property)) {
                names.add(graphName.apply(property));
            }
        }
        return new Selected<>(List.copyOf(properties), Set.copyOf(others), String.join(",", names));
    }
}
