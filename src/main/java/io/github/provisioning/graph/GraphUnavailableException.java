package io.github.provisioning.graph;

/**
 * Graph gave no usable answer to a request within its retries: the attempts ran out on throttling (429), server
 * errors or missing answers, or Graph asked for a longer wait than {@code graph.retry-max-delay}. The message names
 * the request (method and path, no query) and its last answer.
 */
public class GraphUnavailableException extends GraphException {

    /** @param status the last answer's status, 0 when none came */
    public GraphUnavailableException(int status, String message) {
        super(status, null, message, null);
    }
}
