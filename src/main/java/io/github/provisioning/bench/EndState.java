package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.graph.Tenant;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the target must hold after a cycle, derived from the tenant alone: one active account per user in scope
 * (assigned directly or as a direct member of an assigned group) and enabled, with the mapped attributes of the
 * Meta Work Accounts mapping that come straight from Graph, and nothing else.
 */
final class EndState {

    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final int SHOWN = 5;

    private EndState() {
    }

    /** The users the target must hold, by id. */
    static Map<String, ObjectNode> expectedUsers(Tenant tenant) {
        Map<String, ObjectNode> live = new HashMap<>();
        for (ObjectNode user : tenant.users()) {
            live.put(user.get("id").asText(), user);
        }
        Set<String> inScope = new HashSet<>();
        for (String principal : tenant.assignedPrincipalIds()) {
            if (live.containsKey(principal)) {
                inScope.add(principal);
            } else {
                // a group: its direct members only, as in Entra (nested groups do not count)
                tenant.memberIds(principal).stream().filter(live::containsKey).forEach(inScope::add);
            }
        }
        Map<String, ObjectNode> expected = new LinkedHashMap<>();
        for (String id : inScope) {
            ObjectNode user = live.get(id);
            if (user.path("accountEnabled").asBoolean(false)) {
                expected.put(id, user);
            }
        }
        return expected;
    }

    /** Everything wrong with the target, at most a few examples per kind; empty when it is right. */
    static List<String> problems(Tenant tenant, ScimSandbox target) {
        Map<String, ObjectNode> expected = expectedUsers(tenant);
        Map<String, Integer> userNames = new HashMap<>();
        Map<String, JsonNode> byUserName = new HashMap<>();
        for (ObjectNode account : target.users()) {
            String userName = account.path("userName").asText().toLowerCase(Locale.ROOT);
            userNames.merge(userName, 1, Integer::sum);
            byUserName.put(userName, account);
        }
        List<String> problems = new ArrayList<>();
        long duplicates = userNames.values().stream().filter(n -> n > 1).count();
        if (duplicates > 0) {
            problems.add(duplicates + " userNames held by more than one account");
        }
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Set<String> expectedNames = new HashSet<>();
        for (ObjectNode user : expected.values()) {
            String upn = user.path("userPrincipalName").asText().toLowerCase(Locale.ROOT);
            expectedNames.add(upn);
            JsonNode account = byUserName.get(upn);
            if (account == null) {
                missing.add(upn);
                continue;
            }
            String difference = difference(user, account);
            if (difference != null) {
                wrong.add(upn + ": " + difference);
            }
        }
        List<String> extra = byUserName.keySet().stream().filter(n -> !expectedNames.contains(n)).toList();
        report(problems, "expected accounts missing", missing);
        report(problems, "accounts with wrong attributes", wrong);
        report(problems, "accounts of users not in scope", extra);
        return problems;
    }

    private static void report(List<String> problems, String what, List<String> examples) {
        if (!examples.isEmpty()) {
            problems.add(examples.size() + " " + what + ", e.g. " + examples.subList(0, Math.min(SHOWN,
                    examples.size())));
        }
    }

    /** The first mapped attribute that differs; an Entra null must be absent in the target. */
    private static String difference(ObjectNode user, JsonNode account) {
        Map<String, Object[]> pairs = new LinkedHashMap<>();
        pairs.put("active", new Object[] {"true", text(account.get("active"))});
        pairs.put("externalId", new Object[] {text(user.get("mailNickname")), text(account.get("externalId"))});
        pairs.put("title", new Object[] {text(user.get("jobTitle")), text(account.get("title"))});
        pairs.put("name.givenName", new Object[] {text(user.get("givenName")),
            text(account.path("name").get("givenName"))});
        pairs.put("name.familyName", new Object[] {text(user.get("surname")),
            text(account.path("name").get("familyName"))});
        pairs.put("department", new Object[] {text(user.get("department")),
            text(account.path(ENTERPRISE).get("department"))});
        for (Map.Entry<String, Object[]> pair : pairs.entrySet()) {
            if (!Objects.equals(pair.getValue()[0], pair.getValue()[1])) {
                return pair.getKey() + " is " + pair.getValue()[1] + ", expected " + pair.getValue()[0];
            }
        }
        return null;
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asText();
    }
}
