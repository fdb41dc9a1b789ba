package io.github.provisioning.graph;

/** Microsoft Graph answered with an error; the message carries Graph's code and message, never a credential. */
public class GraphException extends RuntimeException {
    private final int status;
    private final String code;

    public GraphException(int status, String code, String message) {
        this(status, code, "Graph answered " + status + (code == null ? "" : " " + code)
                + (message == null ? "" : ": " + message), null);
    }

    /** @param text the whole message, e.g. the request and its last answer */
    protected GraphException(int status, String code, String text, Throwable cause) {
        super(text, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
