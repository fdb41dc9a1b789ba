package io.github.provisioning.scim;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How one SCIM target wants its requests: the compatibility switches Entra knows as the difference between its
 * legacy requests and the compliant ones (flag {@code aadOptscim062020}), plus targets without PATCH or without
 * groups. Declared per target in the mapping file ({@code compat:}) and overridable with {@code scim.compat.*}.
 *
 * @param booleanAsString send booleans in PATCH values as Entra's legacy strings {@code "True"}/{@code "False"}
 * @param opCase          {@code replace} (compliant) or {@code Replace} (Entra legacy)
 * @param pathlessReplace send the replaces of one update as one pathless {@code replace} with a value object
 * @param memberRemove    remove a group member by {@code path: members[value eq "id"]} (compliant) or by
 *                        {@code path: members} with a value list (legacy)
 * @param updateMethod    PATCH, or GET + merge + PUT for targets without PATCH
 * @param groups          whether the target has {@code /Groups} at all (Meta Work Accounts has not)
 */
public record ScimDialect(boolean booleanAsString, OpCase opCase, boolean pathlessReplace, MemberRemove memberRemove,
                          UpdateMethod updateMethod, boolean groups) {

    public enum OpCase { LOWER, CAPITALIZED }

    public enum MemberRemove { PATH_FILTER, VALUE_LIST }

    public enum UpdateMethod { PATCH, PUT }

    /** RFC 7644 as Entra sends it with {@code aadOptscim062020}. */
    public static final ScimDialect COMPLIANT = new ScimDialect(false, OpCase.LOWER, false, MemberRemove.PATH_FILTER,
            UpdateMethod.PATCH, true);

    /** The switch names, as in the mapping file's {@code compat:} section and after {@code scim.compat.}. */
    public static final java.util.List<String> SWITCHES = java.util.List.of("boolean-as-string", "op-case",
            "pathless-replace", "member-remove", "update-method", "groups");

    /**
     * The dialect from the mapping file's switches, each overridden by a setting when that has a value.
     *
     * @param declared the mapping file's {@code compat:} section (switch → value)
     * @param setting  {@code scim.compat.<switch>} → value, or null/blank when not set
     */
    public static ScimDialect of(Map<String, String> declared, Function<String, String> setting) {
        Function<String, String> value = name -> chosen(declared, setting, name);
        return new ScimDialect(
                bool(value, "boolean-as-string", COMPLIANT.booleanAsString()),
                choice(value, "op-case", Map.of("lower", OpCase.LOWER, "capitalized", OpCase.CAPITALIZED), COMPLIANT.opCase()),
                bool(value, "pathless-replace", COMPLIANT.pathlessReplace()),
                choice(value, "member-remove", Map.of("path-filter", MemberRemove.PATH_FILTER,
                        "value-list", MemberRemove.VALUE_LIST), COMPLIANT.memberRemove()),
                choice(value, "update-method", Map.of("patch", UpdateMethod.PATCH, "put", UpdateMethod.PUT),
                        COMPLIANT.updateMethod()),
                bool(value, "groups", COMPLIANT.groups()));
    }

    /**
     * Whether the mapping file or a setting chooses this switch; when neither does, the engine may follow what the
     * target says of itself (its {@code /ServiceProviderConfig}).
     */
    public static boolean isChosen(Map<String, String> declared, Function<String, String> setting, String name) {
        return chosen(declared, setting, name) != null;
    }

    /** The setting's value when it has one, else the mapping file's, else null. */
    private static String chosen(Map<String, String> declared, Function<String, String> setting, String name) {
        String v = setting.apply(name);
        return v != null && !v.isBlank() ? v.trim() : declared.get(name);
    }

    /** Whether a value is valid for a switch; null when it is, else what is expected. */
    public static String check(String name, String value) {
        try {
            of(Map.of(name, value), n -> null);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    public String opName(String op) {
        return opCase == OpCase.LOWER ? op.toLowerCase(Locale.ROOT)
                : Character.toUpperCase(op.charAt(0)) + op.substring(1).toLowerCase(Locale.ROOT);
    }

    private static boolean bool(Function<String, String> value, String name, boolean fallback) {
        String v = value.apply(name);
        if (v == null) {
            return fallback;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException("compat switch " + name + " must be true or false, not '" + v + "'");
    }

    private static <E> E choice(Function<String, String> value, String name, Map<String, E> choices, E fallback) {
        String v = value.apply(name);
        if (v == null) {
            return fallback;
        }
        E e = choices.get(v.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("compat switch " + name + " must be one of "
                    + new java.util.TreeSet<>(choices.keySet()) + ", not '" + v + "'");
        }
        return e;
    }
}
