package io.github.provisioning.admin;

/**
 * An admin API answer: an HTTP status and a body that the {@code admin-reply} route marshals to JSON with Camel's
 * Jackson data format (a Jackson tree, or a record such as {@code ConnectionDiagnosis}).
 */
public record ApiReply(int status, Object body) {
}
