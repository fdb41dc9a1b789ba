package io.github.provisioning.admin;

/** An admin API answer: an HTTP status and a JSON body. */
public record ApiReply(int status, String json) {
}
