package io.github.provisioning.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mappings of one object type (users) plus its target object actions and scoping filters.
 *
 * @param rules   the mapping rows in file order
 * @param actions Entra "Target object actions"
 * @param scoping Entra "Source object scope": the attribute-based scoping filters; {@link ScopingFilter#NONE} when
 *                none is configured
 */
public record ObjectMapping(List<MappingRule> rules, TargetActions actions, ScopingFilter scoping) {

    /** SCIM attributes whose type is boolean: a "True"/"False" string mapped to them is sent as a JSON boolean. */
    private static final Set<String> BOOLEAN_TARGETS = Set.of("active");

    public record TargetActions(boolean create, boolean update, boolean delete) {
        public static final TargetActions ALL = new TargetActions(true, true, true);
    }

    public ObjectMapping {
        rules = List.copyOf(rules);
        java.util.Objects.requireNonNull(scoping, "scoping (ScopingFilter.NONE for none)");
    }

    /** Mappings without attribute-based scoping filters. */
    public ObjectMapping(List<MappingRule> rules, TargetActions actions) {
        this(rules, actions, ScopingFilter.NONE);
    }

    /** The matching attributes in precedence order. */
    public List<MappingRule> matchingRules() {
        return rules.stream().filter(MappingRule::isMatching).sorted(Comparator.comparing(MappingRule::match)).toList();
    }

    /** Every Entra source attribute the rules and the scoping filters read. */
    public Set<String> sourceAttributes() {
        Set<String> names = new LinkedHashSet<>();
        rules.forEach(r -> r.source().collectAttributes(names));
        scoping.collectAttributes(names);
        return names;
    }

    /**
     * The target values for a new object: every rule, with defaults for null values. Entra: null values are never
     * provisioned, so absent values are left out.
     */
    public Map<String, JsonNode> valuesForCreate(SourceAttributes source) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (MappingRule rule : rules) {
            Object value = rule.source().evaluate(source);
            if (value == null) {
                value = rule.defaultValue();
            }
            put(values, rule.target(), value);
        }
        return values;
    }

    /** The target values kept in sync on update: rules applied always, no defaults (Entra: defaults on create only). */
    public Map<String, JsonNode> valuesForUpdate(SourceAttributes source) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (MappingRule rule : rules) {
            if (rule.apply() == MappingRule.Apply.ALWAYS && !(rule.source() instanceof MappingRule.None)) {
                put(values, rule.target(), rule.source().evaluate(source));
            }
        }
        return values;
    }

    /** The paths that updates keep in sync, whether they have a value now or not. */
    public List<String> updatedTargets() {
        return rules.stream()
                .filter(r -> r.apply() == MappingRule.Apply.ALWAYS && !(r.source() instanceof MappingRule.None))
                .map(MappingRule::target)
                .toList();
    }

    private static void put(Map<String, JsonNode> values, String target, Object value) {
        JsonNode node = toJson(target, value);
        if (node != null) {
            values.put(target, node);
        }
    }

    static JsonNode toJson(String target, Object value) {
        if (value instanceof List<?> list) {
            // A multi-valued source written to a single-valued target takes its first value.
            value = list.isEmpty() ? null : list.get(0);
        }
        if (value == null) {
            return null;
        }
        if (BOOLEAN_TARGETS.contains(target)) {
            Boolean b = ExpressionFunction.bool(value);
            return BooleanNode.valueOf(b);
        }
        if (value instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        return TextNode.valueOf(value.toString());
    }
}
