package io.github.provisioning.sandbox.graph;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request the simulator answered, for tests to inspect.
 *
 * @param path       the raw (still percent-encoded) path
 * @param query      the raw query string, "" when there was none
 * @param headers    request headers; names match without regard to case
 * @param status     the status the simulator answered
 * @param receivedAt when the request arrived (to check a client's back-off)
 */
public record GraphRequest(String method, String path, String query, Map<String, List<String>> headers,
                           int status, Instant receivedAt) {

    /** The first value of a header, looked up without regard to case. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
