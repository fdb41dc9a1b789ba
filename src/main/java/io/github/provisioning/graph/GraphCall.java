package io.github.provisioning.graph;

import java.net.URI;
import java.util.function.Supplier;

/**
 * One request to Microsoft Graph or its token endpoint, through its attempts: the exchange property
 * {@value GraphRetry#CALL} while {@code graph-exchange} sends it. {@link GraphRetry} counts the attempts and sets
 * the wait before the next one. Its text is the method and path alone: the query (skip and delta tokens), the
 * token form (the client secret) and the Authorization header never reach a log line or a message.
 */
public final class GraphCall {

    private final String method;
    private final String url;
    /** The token request's form, with the client secret or a fresh assertion, built per attempt; null for a GET. */
    private final Supplier<String> form;
    /** The GET's {@code Bearer} header; null for the token request. */
    private final String authorization;
    private int attempts;
    private long delayMillis;
    private boolean pending = true;

    private GraphCall(String method, String url, Supplier<String> form, String authorization) {
        this.method = method;
        this.url = url;
        this.form = form;
        this.authorization = authorization;
    }

    /** A Graph GET (a nextLink or deltaLink is used whole). */
    static GraphCall get(String url, String authorization) {
        return new GraphCall("GET", url, null, authorization);
    }

    /** The client-credentials token request. */
    static GraphCall token(String tokenUrl, Supplier<String> form) {
        return new GraphCall("POST", tokenUrl, form, null);
    }

    /** True until Graph has answered the request in a way that is not sent again. */
    public boolean isPending() {
        return pending;
    }

    /** The wait before the next attempt: 0 before the first, a retry's delay after. */
    public long getDelayMillis() {
        return delayMillis;
    }

    String method() {
        return method;
    }

    String url() {
        return url;
    }

    /** The token request's form for this attempt; null for a GET. */
    String form() {
        return form == null ? null : form.get();
    }

    String authorization() {
        return authorization;
    }

    /** One more attempt was answered (or went unanswered); the count including it. */
    int answered() {
        delayMillis = 0;
        return ++attempts;
    }

    void retryIn(long millis) {
        delayMillis = millis;
    }

    void done() {
        pending = false;
    }

    /** {@code GET /v1.0/users/delta}: the method and the path, without the query. */
    @Override
    public String toString() {
        String path = URI.create(url).getRawPath();
        return method + " " + (path == null || path.isEmpty() ? "/" : path);
    }
}
