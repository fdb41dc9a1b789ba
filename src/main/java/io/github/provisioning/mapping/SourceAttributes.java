package io.github.provisioning.mapping;

/**
 * The attributes of one source object as Entra names them ({@code userPrincipalName}, {@code objectId},
 * {@code telephoneNumber}, {@code IsSoftDeleted}, ...). A missing attribute is {@code null}; an empty string is
 * a value, as in Entra.
 */
@FunctionalInterface
public interface SourceAttributes {
    /** @return a String, Boolean, a List of Strings for multi-valued attributes, or null when absent */
    Object get(String entraName);
}
