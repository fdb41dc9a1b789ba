package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP exchange as the sandbox saw it, including rejected ones (authentication failures, injected faults).
 *
 * @param time         when the request arrived
 * @param method       the HTTP method, e.g. {@code PATCH}
 * @param path         the decoded path relative to {@link ScimSandbox#baseUrl()}, e.g. {@code /Users/2819c223};
 *                     a request outside the base URL keeps its full path
 * @param query        the URL-decoded query string, or {@code null} when there was none
 * @param headers      request headers by lower-case name
 * @param body         the raw request body, or {@code null} when it was empty
 * @param status       the HTTP status that was answered; for a {@link InjectedFault#DROPPED_REPLY} the status the
 *                     sandbox decided on but never sent (see {@link #answered()})
 * @param responseBody the response body, or {@code null} when there was none (204, 304); for a dropped reply,
 *                     the body that was never sent
 * @param fault        the fault the sandbox injected, or {@code null} when the request was handled normally
 */
public record RecordedRequest(Instant time, String method, String path, String query,
                              Map<String, List<String>> headers, String body, int status, String responseBody,
                              InjectedFault fault) {

    public RecordedRequest {
        Map<String, List<String>> lowerCased = new LinkedHashMap<>();
        headers.forEach((name, values) ->
                lowerCased.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        lowerCased.replaceAll((name, values) -> List.copyOf(values));
        headers = Map.copyOf(lowerCased);
    }

    /** A request handled normally, without an injected fault. */
    public RecordedRequest(Instant time, String method, String path, String query,
                           Map<String, List<String>> headers, String body, int status, String responseBody) {
        this(time, method, path, query, headers, body, status, responseBody, null);
    }

    /** Whether the client received a response; {@code false} only for a {@link InjectedFault#DROPPED_REPLY}. */
    public boolean answered() {
        return fault != InjectedFault.DROPPED_REPLY;
    }

    /** The request body as JSON, or {@code null} when there was no body. */
    public JsonNode json() {
        return ScimJson.parse(body);
    }

    /** The response body as JSON, or {@code null} when there was no body. */
    public JsonNode responseJson() {
        return ScimJson.parse(responseBody);
    }

    /** The first value of a request header (name matched case-insensitively), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** {@code "PATCH /Users/42"}: handy in assertion messages and logs. */
    public String line() {
        return method + " " + path + (query == null ? "" : "?" + query);
    }
}
