package io.github.provisioning.graph;

/** The token endpoint rejected the client credentials (wrong tenant, client id or secret). */
public class GraphCredentialsException extends GraphException {
    public GraphCredentialsException(int status, String code, String description) {
        super(status, code, description);
    }
}
