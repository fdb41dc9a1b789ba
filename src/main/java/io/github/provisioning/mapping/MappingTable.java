package io.github.provisioning.mapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * An attribute-mapping file: per object type, the mapping rows, target object actions and scoping filters. Loaded
 * from YAML with
 * line numbers kept, so that every mistake is reported as {@code file:line: message}.
 *
 * @param location    where it was loaded from
 * @param user        the user mappings
 * @param fingerprint a hash of the file's content: a mapping change triggers a full (initial) cycle, as in Entra
 * @param group       the group mappings, or null when the file has none (users-only targets)
 * @param compat      the target's compatibility switches ({@code compat:}), see {@code ScimDialect}
 */
public record MappingTable(String location, ObjectMapping user, ObjectMapping group, String fingerprint,
                           Map<String, String> compat) {

    public MappingTable {
        compat = Map.copyOf(compat);
    }

    private static final Set<String> OBJECT_KEYS = Set.of("actions", "mappings", "scoping");
    private static final Set<String> RULE_KEYS = Set.of("target", "source", "constant", "expression", "none",
            "default", "apply", "match");
    private static final Set<String> ACTION_KEYS = Set.of("create", "update", "delete");
    private static final Set<String> SCOPING_FILTER_KEYS = Set.of("title", "clauses");
    private static final Set<String> CLAUSE_KEYS = Set.of("attribute", "operator", "value");
    private static final java.util.regex.Pattern ATTRIBUTE_NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    /** Loads {@code classpath:path}, {@code file:path} or a plain file path. */
    public static MappingTable load(String location) {
        String content;
        try (InputStream in = open(location)) {
            content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MappingException(location + ": cannot read the mapping file: " + e.getMessage(), e);
        }
        return parse(location, content);
    }

    public static MappingTable parse(String location, String content) {
        Node root;
        try (Reader reader = new java.io.StringReader(content)) {
            root = new Compose(LoadSettings.builder().setLabel(location).build()).composeReader(reader)
                    .orElseThrow(() -> new MappingException(location + ": the mapping file is empty"));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
            // '&' and '!&' are YAML anchor and tag marks: the scoping operators must be quoted.
            String hint = String.valueOf(e.getContext()).contains("anchor") || String.valueOf(e.getContext()).contains("tag")
                    ? " (quote the scoping operators '&' and '!&')" : "";
            throw new MappingException(location + ":" + line + ": not valid YAML: "
                    + (e.getContext() == null ? "" : e.getContext() + ", ") + e.getProblem().replace("\n", "\\n")
                    + hint, e);
        } catch (YamlEngineException e) {
            throw new MappingException(location + ": not valid YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MappingException(location + ": " + e.getMessage(), e);
        }
        Parser parser = new Parser(location);
        Map<String, Node> top = parser.mapping(root, Set.of("user", "group", "compat"));
        Node user = top.get("user");
        if (user == null) {
            throw parser.error(root, "a 'user' section is required");
        }
        Map<String, String> compat = new java.util.LinkedHashMap<>();
        if (top.containsKey("compat")) {
            Map<String, Node> switches = parser.mapping(top.get("compat"),
                    new java.util.HashSet<>(io.github.provisioning.scim.ScimDialect.SWITCHES));
            switches.forEach((name, node) -> {
                String value = parser.scalar(node);
                String problem = io.github.provisioning.scim.ScimDialect.check(name, value);
                if (problem != null) {
                    throw parser.error(node, problem);
                }
                compat.put(name, value);
            });
        }
        ObjectMapping group = top.containsKey("group") ? parser.objectMapping(top.get("group")) : null;
        return new MappingTable(location, parser.objectMapping(user), group, sha256(content), compat);
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String path = location.substring("classpath:".length()).replaceFirst("^/", "");
            InputStream in = MappingTable.class.getClassLoader().getResourceAsStream(path);
            if (in == null) {
                throw new IOException("not found on the classpath");
            }
            return in;
        }
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        return Files.newInputStream(Path.of(path));
    }

    private static String sha256(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Walks the YAML node tree, turning it into rules and reporting mistakes with their line. */
    private record Parser(String location) {

        MappingException error(Node node, String message) {
            int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            return new MappingException(location + ":" + line + ": " + message);
        }

        Map<String, Node> mapping(Node node, Set<String> allowed) {
            if (!(node instanceof MappingNode map)) {
                throw error(node, "a mapping (key: value) is expected here");
            }
            Map<String, Node> entries = new java.util.LinkedHashMap<>();
            for (NodeTuple tuple : map.getValue()) {
                String key = scalar(tuple.getKeyNode());
                if (!allowed.contains(key)) {
                    throw error(tuple.getKeyNode(), "unknown key '" + key + "' (expected one of " + new java.util.TreeSet<>(allowed) + ")");
                }
                if (entries.put(key, tuple.getValueNode()) != null) {
                    throw error(tuple.getKeyNode(), "key '" + key + "' is given twice");
                }
            }
            return entries;
        }

        String scalar(Node node) {
            if (!(node instanceof ScalarNode scalar)) {
                throw error(node, "a single value is expected here");
            }
            return scalar.getValue();
        }

        boolean bool(Node node) {
            String value = scalar(node);
            if (value.equals("true") || value.equals("false")) {
                return Boolean.parseBoolean(value);
            }
            throw error(node, "true or false expected, not '" + value + "'");
        }

        ObjectMapping objectMapping(Node node) {
            Map<String, Node> entries = mapping(node, OBJECT_KEYS);
            ObjectMapping.TargetActions actions = ObjectMapping.TargetActions.ALL;
            if (entries.containsKey("actions")) {
                Map<String, Node> a = mapping(entries.get("actions"), ACTION_KEYS);
                actions = new ObjectMapping.TargetActions(
                        !a.containsKey("create") || bool(a.get("create")),
                        !a.containsKey("update") || bool(a.get("update")),
                        !a.containsKey("delete") || bool(a.get("delete")));
            }
            Node rulesNode = entries.get("mappings");
            if (!(rulesNode instanceof SequenceNode sequence)) {
                throw error(rulesNode == null ? node : rulesNode, "'mappings' must be a list of mapping rows");
            }
            List<MappingRule> rules = new ArrayList<>();
            Set<String> targets = new HashSet<>();
            Set<Integer> precedences = new HashSet<>();
            for (Node ruleNode : sequence.getValue()) {
                MappingRule rule = rule(ruleNode);
                if (!targets.add(rule.target())) {
                    throw error(ruleNode, "target '" + rule.target() + "' is written by more than one mapping");
                }
                if (rule.match() != null && !precedences.add(rule.match())) {
                    throw error(ruleNode, "matching precedence " + rule.match() + " is used twice");
                }
                rules.add(rule);
            }
            if (precedences.isEmpty()) {
                throw error(rulesNode, "no matching attribute: mark at least one mapping with 'match: 1'");
            }
            ScopingFilter scoping = entries.containsKey("scoping") ? scoping(entries.get("scoping")) : ScopingFilter.NONE;
            return new ObjectMapping(rules, actions, scoping);
        }

        /** Entra scoping filters: a list of filters (ORed), each a list of clauses (ANDed), with an optional title. */
        ScopingFilter scoping(Node node) {
            if (!(node instanceof SequenceNode sequence)) {
                throw error(node, "'scoping' must be a list of scoping filters, each with 'clauses'");
            }
            if (sequence.getValue().isEmpty()) {
                throw error(node, "'scoping' has no scoping filter; leave it out to put every user in scope");
            }
            List<ScopingFilter.Group> filters = new ArrayList<>();
            for (Node filterNode : sequence.getValue()) {
                if (!(filterNode instanceof MappingNode)) {
                    throw error(filterNode, "a scoping filter is a mapping with 'clauses' (a list of clauses) and an "
                            + "optional 'title'");
                }
                Map<String, Node> f = mapping(filterNode, SCOPING_FILTER_KEYS);
                String title = f.containsKey("title") ? scalar(f.get("title")) : null;
                Node clausesNode = f.get("clauses");
                if (clausesNode == null) {
                    throw error(filterNode, "a scoping filter needs 'clauses'");
                }
                if (!(clausesNode instanceof SequenceNode clauses)) {
                    throw error(clausesNode, "'clauses' must be a list of clauses");
                }
                if (clauses.getValue().isEmpty()) {
                    throw error(clausesNode, "scoping filter " + (title == null ? "" : "'" + title + "' ")
                            + "has no clause");
                }
                List<ScopingClause> parsed = new ArrayList<>();
                for (Node clauseNode : clauses.getValue()) {
                    parsed.add(clause(clauseNode));
                }
                filters.add(new ScopingFilter.Group(title, parsed));
            }
            return new ScopingFilter(filters);
        }

        ScopingClause clause(Node node) {
            Map<String, Node> c = mapping(node, CLAUSE_KEYS);
            if (!c.containsKey("attribute") || !c.containsKey("operator")) {
                throw error(node, "a scoping clause needs an 'attribute' and an 'operator'");
            }
            String attribute = scalar(c.get("attribute"));
            if (!ATTRIBUTE_NAME.matcher(attribute).matches()) {
                throw error(c.get("attribute"), "'" + attribute + "' is not an Entra attribute name (such as "
                        + "department or extensionAttribute1, without brackets)");
            }
            String tag = c.get("operator").getTag().getValue();
            if (!tag.startsWith(Tag.PREFIX)) {
                // An unquoted !& is read as a YAML tag, not as text.
                throw error(c.get("operator"), "the operator was read as the YAML tag '" + tag
                        + "': quote it, e.g. operator: '!&'");
            }
            String name = scalar(c.get("operator"));
            ScopingOperator operator = ScopingOperator.named(name).orElseThrow(() -> error(c.get("operator"),
                    "unknown scoping operator '" + name + "'" + ScopingOperator.closeTo(name)
                            .map(o -> " (did you mean '" + o + "'?)")
                            .orElse(" (expected one of " + java.util.Arrays.stream(ScopingOperator.values())
                                    .map(ScopingOperator::entraName).toList() + ")")));
            Node valueNode = c.get("value");
            String value = null;
            if (valueNode != null && !(valueNode instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL))) {
                value = scalar(valueNode);
            }
            try {
                return ScopingClause.of(attribute, operator, value);
            } catch (IllegalArgumentException e) {
                throw error(valueNode != null ? valueNode : node, e.getMessage());
            }
        }

        MappingRule rule(Node node) {
            Map<String, Node> e = mapping(node, RULE_KEYS);
            int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            if (!e.containsKey("target")) {
                throw error(node, "a mapping needs a 'target' (a SCIM attribute path)");
            }
            String target = scalar(e.get("target"));
            validateTarget(e.get("target"), target);
            List<String> kinds = e.keySet().stream()
                    .filter(k -> Set.of("source", "constant", "expression", "none").contains(k)).toList();
            if (kinds.size() != 1) {
                throw error(node, "mapping for '" + target + "' needs exactly one of source, constant, expression or none");
            }
            MappingRule.Source source = switch (kinds.get(0)) {
                case "source" -> new MappingRule.Direct(scalar(e.get("source")));
                case "constant" -> new MappingRule.Constant(scalar(e.get("constant")));
                case "none" -> {
                    if (!bool(e.get("none"))) {
                        throw error(e.get("none"), "'none' can only be true");
                    }
                    yield new MappingRule.None();
                }
                default -> expression(e.get("expression"));
            };
            String defaultValue = e.containsKey("default") ? scalar(e.get("default")) : null;
            MappingRule.Apply apply = MappingRule.Apply.ALWAYS;
            if (e.containsKey("apply")) {
                String value = scalar(e.get("apply"));
                apply = switch (value) {
                    case "always" -> MappingRule.Apply.ALWAYS;
                    case "on-create" -> MappingRule.Apply.ON_CREATE;
                    default -> throw error(e.get("apply"), "apply must be 'always' or 'on-create', not '" + value + "'");
                };
            }
            Integer match = null;
            if (e.containsKey("match")) {
                try {
                    match = Integer.parseInt(scalar(e.get("match")));
                } catch (NumberFormatException ex) {
                    throw error(e.get("match"), "match must be a precedence number (1, 2, ...)");
                }
                if (match < 1) {
                    throw error(e.get("match"), "match precedence starts at 1");
                }
            }
            MappingRule rule = new MappingRule(target, source, defaultValue, apply, match, line);
            // Entra: the function "can't be applied to attributes that have a matching precedence" (the parser
            // already keeps it at the top level).
            if (rule.selectsUniqueValue() && match != null) {
                throw error(e.get("match"), "a SelectUniqueValue mapping cannot be a matching attribute: its value "
                        + "depends on what the target already holds");
            }
            return rule;
        }

        MappingRule.Computed expression(Node node) {
            String text = scalar(node);
            try {
                return new MappingRule.Computed(text, Expression.parse(text));
            } catch (ExpressionException ex) {
                throw error(node, "invalid expression: " + ex.getMessage());
            }
        }

        void validateTarget(Node node, String target) {
            try {
                com.unboundid.scim2.common.Path.fromString(target);
            } catch (Exception ex) {
                String reason = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
                int jacksonDetail = reason.indexOf(": Unexpected");
                throw error(node, "'" + target + "' is not a SCIM attribute path: "
                        + (jacksonDetail > 0 ? reason.substring(0, jacksonDetail) : reason));
            }
        }
    }

    public Optional<MappingRule> rule(String target) {
        return user.rules().stream().filter(r -> r.target().equals(target)).findFirst();
    }
}
