package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.filters.Filter;
import io.github.provisioning.cycle.UserScope;
import io.github.provisioning.graph.EntraUser;
import io.github.provisioning.mapping.Evaluation;
import io.github.provisioning.mapping.Expression;
import io.github.provisioning.mapping.ExpressionException;
import io.github.provisioning.mapping.Ignored;
import io.github.provisioning.mapping.MappingRule;
import io.github.provisioning.mapping.MappingTable;
import io.github.provisioning.mapping.NoUniqueValueException;
import io.github.provisioning.mapping.ObjectMapping;
import io.github.provisioning.mapping.Redacted;
import io.github.provisioning.mapping.SourceAttributes;
import io.github.provisioning.mapping.UniquenessCheck;
import io.github.provisioning.scim.ConnectionDiagnosis;
import io.github.provisioning.scim.UserResources;
import io.github.provisioning.state.AppRoleStore;
import io.github.provisioning.state.ScopeStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The admin API's answers: what a user would become in the target (preview), and what an expression gives for
 * given attribute values (expression tester). Nothing is written to the target; the tester asks it about
 * SelectUniqueValue's candidates when the request names the target attribute.
 */
public final class AdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** RandomString makes passwords, also in the tester. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MappingTable mapping;
    private final boolean assignedScope;
    private final Predicate<String> assigned;
    private final Function<String, List<Map<String, String>>> storedRoles;
    private final Clock clock;
    private final TargetUniquenessCheck targetCheck;

    /**
     * @param assigned whether a user id was in the assignment scope of the last completed cycle
     */
    public AdminApi(MappingTable mapping, boolean assignedScope, Predicate<String> assigned) {
        this(mapping, assignedScope, assigned, id -> null);
    }

    /**
     * @param storedRoles a user id's app role assignments as of the last completed cycle, or null when not kept
     */
    public AdminApi(MappingTable mapping, boolean assignedScope, Predicate<String> assigned,
                    Function<String, List<Map<String, String>>> storedRoles) {
        this(mapping, assignedScope, assigned, storedRoles, Clock.systemUTC());
    }

    /** @param clock the clock behind the tester's {@code Now()}: UTC, as the provisioning service runs */
    public AdminApi(MappingTable mapping, boolean assignedScope, Predicate<String> assigned,
                    Function<String, List<Map<String, String>>> storedRoles, Clock clock) {
        this(mapping, assignedScope, assigned, storedRoles, clock, null);
    }

    /** @param targetCheck asks the SCIM target about SelectUniqueValue's candidates; null when there is none */
    public AdminApi(MappingTable mapping, boolean assignedScope, Predicate<String> assigned,
                    Function<String, List<Map<String, String>>> storedRoles, Clock clock,
                    TargetUniquenessCheck targetCheck) {
        this.mapping = mapping;
        this.clock = clock;
        this.targetCheck = targetCheck;
        this.assignedScope = assignedScope;
        this.assigned = assigned;
        this.storedRoles = storedRoles;
    }

    public static AdminApi of(MappingTable mapping, boolean assignedScope, ScopeStore scope, AppRoleStore appRoles,
                              Clock clock, TargetUniquenessCheck targetCheck) {
        return new AdminApi(mapping, assignedScope, scope::inCurrentScope, mapping.user().readsAppRoleAssignments()
                ? id -> appRoles.appRoleAssignments(id, true) : id -> null, clock, targetCheck);
    }

    /**
     * Body: a Graph user as {@code /users} returns it, optionally with {@code appRoleAssignments} (a list of
     * {@code {id, displayName, value}}); without them, a mapping that reads roles gets the user's roles as of the
     * last completed cycle.
     */
    public ApiReply preview(String body) {
        ObjectNode user;
        try {
            JsonNode parsed = JSON.readTree(body == null ? "" : body);
            if (!(parsed instanceof ObjectNode object)) {
                return error(400, "The body must be a Graph user object (JSON)", -1);
            }
            user = object;
        } catch (Exception e) {
            return error(400, "The body is not JSON: " + e.getMessage(), -1);
        }
        ObjectMapping users = mapping.user();
        String outOfScope = outOfScopeReason(user);
        try {
            String id = user.path("id").asText(null);
            List<Map<String, String>> roles = user.has(SourceAttributes.APP_ROLE_ASSIGNMENTS) || id == null
                    ? null : storedRoles.apply(id);
            Map<String, JsonNode> values = users.valuesForCreate(new EntraUser(user, outOfScope != null, roles));
            return new ApiReply(200, new Preview(outOfScope == null, outOfScope == null ? "in scope" : outOfScope,
                    matchFilter(users, values), JSON.readTree(UserResources.create(values).toString())));
        } catch (ExpressionException e) {
            return error(422, "The mapping cannot be evaluated for this user: " + e.getMessage(), -1);
        } catch (Exception e) {
            return error(422, "The mapping cannot be applied to this user: " + e.getMessage(), -1);
        }
    }

    /**
     * The preview's answer.
     *
     * @param matchFilter the SCIM filter that matches the user in the target; null when no matching attribute has a
     *                    value
     * @param resource    the SCIM resource a create would post
     */
    public record Preview(boolean inScope, String scopeReason, String matchFilter, JsonNode resource) {
    }

    /**
     * Body: {@code {"expression": "...", "user": {<Entra attribute name>: value}, "target": "userName"}}. With
     * {@code target}, the SCIM attribute the expression is mapped to, SelectUniqueValue asks the target about each
     * candidate as a cycle does; without it, its first candidate is taken. Either way the answer says which
     * ({@code checkedInTarget}) when SelectUniqueValue had candidates.
     */
    public ApiReply evaluate(String body) {
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return error(400, "The body is not JSON: " + e.getMessage(), -1);
        }
        if (request == null || !request.path("expression").isTextual()) {
            return error(400, "The body needs an \"expression\" string", -1);
        }
        JsonNode user = request.path("user");
        JsonNode target = request.path("target");
        if (!target.isMissingNode() && !target.isNull() && !validTarget(target)) {
            return error(400, "\"target\" must name the SCIM attribute the expression is mapped to, such as "
                    + "\"userName\"; " + target + " is not one", -1);
        }
        String attribute = target.isTextual() ? target.asText() : null;
        String unchecked = attribute == null ? "no \"target\" given: the first candidate is shown"
                : targetCheck == null ? "this engine has no SCIM target to ask"
                : !targetCheck.canAsk() ? "the SCIM target supports no filter: a cycle checks the candidates "
                        + "against its listing of the target's users" : null;
        UniquenessCheck check = unchecked == null ? targetCheck.of(attribute) : UniquenessCheck.EVERY_VALUE_IS_UNIQUE;
        boolean[] asked = {false};
        try {
            Object value = Expression.parse(request.get("expression").asText())
                    .evaluate(new Evaluation(name -> EntraUser.value(user.get(name)), candidate -> {
                        asked[0] = true;
                        return check.isUnique(candidate);
                    }, clock, RANDOM));
            ExpressionValue shown = shown(value);
            return new ApiReply(200, asked[0] ? shown.checked(unchecked) : shown);
        } catch (NoUniqueValueException e) {
            // As the cycle fails the user: every candidate is taken in the target.
            return error(409, e.reasonFor(attribute), -1);
        } catch (ExpressionException e) {
            return error(400, e.getMessage(), e.position());
        } catch (TargetUniquenessCheck.TargetUnavailableException e) {
            return error(502, e.getMessage(), -1);
        }
    }

    /** A SCIM attribute path a filter can name, such as {@code userName} or {@code emails[type eq "work"].value}. */
    private static boolean validTarget(JsonNode target) {
        if (!target.isTextual() || target.asText().isBlank()) {
            return false;
        }
        try {
            UserResources.matchQuery(target.asText(), "");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The tester's answer for an expression's value, as Entra shows it: {@code {"value": v}}, plus
     * {@code "ignored": true} (value null) when IgnoreFlowIfNullOrEmpty drops the attribute and {@code "redacted":
     * true} when Redact hides it in the logs.
     */
    static ExpressionValue shown(Object value) {
        if (value == Ignored.INSTANCE) {
            return new ExpressionValue(null, true, null, null, null);
        }
        return new ExpressionValue(display(value instanceof Redacted redacted ? redacted.value() : value), null,
                value instanceof Redacted ? true : null, null, null);
    }

    /**
     * The expression tester's answer; the flags are absent unless true, the check's fields unless SelectUniqueValue
     * had candidates.
     *
     * @param value           text, an array for a multi-valued value, an object for a complex one; null when none
     * @param checkedInTarget whether SelectUniqueValue asked the target about its candidates
     * @param uncheckedReason why it did not
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExpressionValue(@JsonInclude(JsonInclude.Include.ALWAYS) JsonNode value, Boolean ignored,
                                  Boolean redacted, Boolean checkedInTarget, String uncheckedReason) {

        /** With the SelectUniqueValue check: made, or why not ({@code unchecked}). */
        ExpressionValue checked(String unchecked) {
            return new ExpressionValue(value, ignored, redacted, unchecked == null, unchecked);
        }
    }

    /**
     * One value as Entra displays it: text (True/False for a boolean, "M/d/yyyy h:mm:ss tt" in UTC for a date,
     * digits for a number), an array for a multi-valued one, an object for a complex one.
     */
    private static JsonNode display(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof Redacted redacted) {
            return display(redacted.value());
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JSON.createArrayNode();
            list.forEach(item -> array.add(display(item)));
            return array;
        }
        if (value instanceof Map<?, ?> complex) {
            // A complex value (AppRoleAssignmentsComplex) as the target receives it: "primary" stays a boolean.
            ObjectNode object = JSON.createObjectNode();
            complex.forEach((key, item) -> object.set(String.valueOf(key),
                    item instanceof Boolean b ? JSON.getNodeFactory().booleanNode(b) : display(item)));
            return object;
        }
        if (value instanceof Boolean b) {
            return TextNode.valueOf(b ? "True" : "False");
        }
        // DateTimeValue renders itself as Entra does; Long and String are their text.
        return TextNode.valueOf(value.toString());
    }

    /** Test Connection's answer; 200 whatever the target did, since the test itself ran. */
    public ApiReply connectionTested(ConnectionDiagnosis diagnosis) {
        return new ApiReply(200, diagnosis);
    }

    private String outOfScopeReason(ObjectNode user) {
        String id = user.path("id").asText(null);
        if (assignedScope && id == null) {
            return "no id: cannot tell whether the user is assigned to the application";
        }
        String reason = UserScope.outOfScopeReason(user, !assignedScope || assigned.test(id), mapping.user());
        // The preview knows assignments as of the last completed cycle.
        return "not assigned to the application".equals(reason) ? reason + " (as of the last completed cycle)" : reason;
    }

    private static String matchFilter(ObjectMapping users, Map<String, JsonNode> values) throws Exception {
        for (MappingRule rule : users.matchingRules()) {
            JsonNode value = values.get(rule.target());
            if (value != null && !value.isNull()) {
                return Filter.eq(rule.target(), value.asText()).toString();
            }
        }
        return null;
    }

    private static ApiReply error(int status, String message, int position) {
        return new ApiReply(status,
                new ExpressionError(new ExpressionProblem(message, position >= 0 ? position : null)));
    }

    /** The preview's and the tester's error answer: the message, and where the expression is wrong (or null). */
    public record ExpressionError(ExpressionProblem error) {
    }

    public record ExpressionProblem(String message, Integer position) {
    }
}
