package io.github.provisioning.graph;

/**
 * Graph no longer knows the delta token (tokens last about seven days): {@code syncStateNotFound}, or 410 Gone.
 * The only way on is a full round from the start.
 */
public class DeltaTokenExpiredException extends GraphException {
    public DeltaTokenExpiredException(int status, String code, String message) {
        super(status, code, message);
    }
}
