package io.github.provisioning.sandbox.graph;

import java.util.HashMap;
import java.util.Map;

/**
 * People of contoso.example, the tenant the end-to-end tests provision from, as Graph holds them (here, not in the
 * tests, so that the tests of other runtimes build the same people from the sandbox jar).
 */
public final class Contoso {

    private Contoso() {
    }

    public static String upn(String name) {
        return name + "@contoso.example";
    }

    /** An enabled employee whose names, mail, nickname and employee id all follow from {@code name}. */
    public static Map<String, Object> employee(String name, String department, String jobTitle) {
        Map<String, Object> user = new HashMap<>();
        String capitalized = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        user.put("userPrincipalName", upn(name));
        user.put("displayName", capitalized);
        user.put("givenName", capitalized);
        user.put("surname", capitalized + "sson");
        user.put("mail", name + ".mail@contoso.example");
        user.put("mailNickname", name);
        user.put("jobTitle", jobTitle);
        user.put("department", department);
        user.put("employeeId", "E-" + name);
        user.put("accountEnabled", true);
        return user;
    }
}
