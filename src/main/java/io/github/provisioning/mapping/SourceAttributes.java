package io.github.provisioning.mapping;

/**
 * The attributes of one source object as Entra names them ({@code userPrincipalName}, {@code objectId},
 * {@code telephoneNumber}, {@code IsSoftDeleted}, ...). A missing attribute is {@code null}; an empty string is
 * a value, as in Entra.
 */
@FunctionalInterface
public interface SourceAttributes {

    /**
     * The user's app role assignments for this application, read by {@code AppRoleAssignmentsComplex} and
     * {@code SingleAppRoleAssignment}. Its value is a {@code List<Map<String, String>>} with one map per
     * assignment, keys {@code id} (the app role id), {@code displayName} and {@code value} (the app role's value);
     * an empty list when the user has no role, null when unknown.
     */
    String APP_ROLE_ASSIGNMENTS = "appRoleAssignments";

    /**
     * @return a String, Boolean, a List of Strings for multi-valued attributes, the list of maps described at
     *         {@link #APP_ROLE_ASSIGNMENTS}, or null when absent
     */
    Object get(String entraName);
}
