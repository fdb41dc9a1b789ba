package io.github.provisioning.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

    /**
     * The multi-valued attributes of the core User schema (RFC 7643 section 4.1.2). A list mapped to one of them
     * as a whole (no value filter) is written as the whole list: {@code roles} from AppRoleAssignmentsComplex.
     */
    private static final Set<String> MULTI_VALUED_TARGETS = Set.of("emails", "phoneNumbers", "ims", "photos",
            "addresses", "groups", "entitlements", "roles", "x509Certificates");
    private static final ObjectMapper JSON = new ObjectMapper();

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
     * provisioned, so absent values are left out; an attribute IgnoreFlowIfNullOrEmpty drops is left out too, default
     * or not ("ignore the attribute and drop it from the flow").
     */
    public Map<String, JsonNode> valuesForCreate(SourceAttributes source) {
        return valuesForCreate(source, rules);
    }

    /** The values {@link #valuesForCreate} gives the matching attributes, and only those: what a create is matched on. */
    public Map<String, JsonNode> matchingValuesForCreate(SourceAttributes source) {
        return valuesForCreate(source, matchingRules());
    }

    private static Map<String, JsonNode> valuesForCreate(SourceAttributes source, List<MappingRule> rules) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (MappingRule rule : rules) {
            Object value = rule.source().evaluate(source);
            if (value == Ignored.INSTANCE) {
                continue;
            }
            if (value == null) {
                value = rule.defaultValue();
            }
            put(values, rule.target(), value);
        }
        return values;
    }

    /**
     * The target values kept in sync on update: rules applied always, no defaults (Entra: defaults on create only),
     * and no SelectUniqueValue rows (Entra: the function "is only meant to be used for entry creations").
     * A target missing from the map is removed from the object, unless it is one of
     * {@link #ignoredTargets(SourceAttributes)}: diff over {@link #updatedTargets(SourceAttributes)}, not
     * {@link #updatedTargets()}, so that an ignored attribute is neither added, replaced nor removed.
     */
    public Map<String, JsonNode> valuesForUpdate(SourceAttributes source) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (MappingRule rule : rules) {
            if (rule.isUpdated()) {
                Object value = rule.source().evaluate(source);
                if (value != Ignored.INSTANCE) {
                    put(values, rule.target(), value);
                }
            }
        }
        return values;
    }

    /**
     * The defaults of the None rows, by target. Entra: None leaves the target attribute alone, "however, if the
     * target attribute is ever empty, it's populated with the Default value": on create, and on an existing account
     * found by matching whose attribute is empty.
     */
    public Map<String, JsonNode> noneDefaults() {
        Map<String, JsonNode> defaults = new LinkedHashMap<>();
        for (MappingRule rule : rules) {
            if (rule.source() instanceof MappingRule.None && rule.defaultValue() != null) {
                put(defaults, rule.target(), rule.defaultValue());
            }
        }
        return defaults;
    }

    /**
     * The paths that updates keep in sync, whether they have a value now or not. This includes targets whose
     * expression may be dropped by IgnoreFlowIfNullOrEmpty; for one object, use {@link #updatedTargets(SourceAttributes)}.
     */
    public List<String> updatedTargets() {
        return rules.stream()
                .filter(MappingRule::isUpdated)
                .map(MappingRule::target)
                .toList();
    }

    /** The paths an update of this object keeps in sync: {@link #updatedTargets()} less its ignored targets. */
    public List<String> updatedTargets(SourceAttributes source) {
        Set<String> ignored = ignoredTargets(source);
        return updatedTargets().stream().filter(t -> !ignored.contains(t)).toList();
    }

    /**
     * The targets IgnoreFlowIfNullOrEmpty drops for this object: on create they are not sent; on update they are
     * left as they are in the target (not removed, as a null value would be).
     */
    public Set<String> ignoredTargets(SourceAttributes source) {
        Set<String> ignored = new LinkedHashSet<>();
        for (MappingRule rule : rules) {
            if (rule.source() instanceof MappingRule.Computed computed
                    && computed.expression().calls(ExpressionFunction.IgnoreFlowIfNullOrEmpty)
                    && computed.evaluate(source) == Ignored.INSTANCE) {
                ignored.add(rule.target());
            }
        }
        return ignored;
    }

    /** The rows whose value SelectUniqueValue chooses among candidates the target is asked about, on create. */
    public List<MappingRule> uniqueValueRules() {
        return rules.stream().filter(MappingRule::selectsUniqueValue).toList();
    }

    /**
     * The candidates of a SelectUniqueValue row for one object, in rule order, rules without a value left out. The
     * engine checks them against the target and writes the first one free to the row's target.
     */
    public List<String> uniqueValueCandidates(MappingRule rule, SourceAttributes source) {
        if (!(rule.source() instanceof MappingRule.Computed computed)
                || !(computed.expression() instanceof Expression.Call call)
                || call.function() != ExpressionFunction.SelectUniqueValue) {
            throw new IllegalArgumentException("the mapping of " + rule.target() + " is no SelectUniqueValue");
        }
        return ExpressionFunction.uniqueCandidates(call.arguments(), new Evaluation(source));
    }

    /** Whether a rule or a scoping clause reads {@code [appRoleAssignments]}: only then are roles read from Graph. */
    public boolean readsAppRoleAssignments() {
        return sourceAttributes().contains(SourceAttributes.APP_ROLE_ASSIGNMENTS);
    }

    /**
     * The targets written by AppRoleAssignmentsComplex. Entra: it "does PATCH add only and therefore does not remove
     * any existing roles on the target": a changed list is sent as an {@code add} of the whole list, and a list
     * that became empty is not removed.
     */
    public Set<String> additiveTargets() {
        return targetsCalling(ExpressionFunction.AppRoleAssignmentsComplex);
    }

    /**
     * The targets whose expression calls Redact. Entra: "The Redact function replaces the attribute value with the
     * string literal "[Redact]" in the provisioning logs": log these targets' values as {@link Redacted#MARKER}.
     */
    public Set<String> redactedTargets() {
        return targetsCalling(ExpressionFunction.Redact);
    }

    private Set<String> targetsCalling(ExpressionFunction function) {
        Set<String> targets = new LinkedHashSet<>();
        for (MappingRule rule : rules) {
            if (rule.source() instanceof MappingRule.Computed computed && computed.expression().calls(function)) {
                targets.add(rule.target());
            }
        }
        return targets;
    }

    private static void put(Map<String, JsonNode> values, String target, Object value) {
        if (value instanceof Redacted redacted) {
            // Redaction is for the logs: the target gets the value.
            value = redacted.value();
        }
        JsonNode node = toJson(target, value);
        if (node != null) {
            values.put(target, node);
        }
    }

    static JsonNode toJson(String target, Object value) {
        if (value instanceof List<?> list && MULTI_VALUED_TARGETS.contains(target)) {
            return list.isEmpty() ? null : multiValue(list);
        }
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

    /** A whole multi-valued attribute: complex values (maps) as objects, plain values as {@code {"value": x}}. */
    private static ArrayNode multiValue(List<?> list) {
        ArrayNode array = JSON.createArrayNode();
        for (Object item : list) {
            if (item instanceof Map<?, ?> complex) {
                array.add(JSON.<JsonNode>valueToTree(complex));
            } else if (item != null) {
                array.addObject().put("value", item.toString());
            }
        }
        return array;
    }
}
