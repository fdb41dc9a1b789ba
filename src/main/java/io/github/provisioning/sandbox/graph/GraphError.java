package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * A Graph error answer, thrown by the endpoint code and written as
 * {@code {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}}.
 */
final class GraphError extends RuntimeException {

    private static final DateTimeFormatter INNER_DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    final int status;
    final String code;
    final Map<String, String> headers;

    GraphError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    GraphError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    static GraphError badRequest(String message) {
        return new GraphError(400, "BadRequest", message);
    }

    static GraphError unknownProperty(String name, String type) {
        return badRequest("Could not find a property named '" + name + "' on type 'microsoft.graph." + type + "'.");
    }

    static GraphError notFound(String id) {
        return new GraphError(404, "Request_ResourceNotFound", "Resource '" + id
                + "' does not exist or one of its queried reference-property objects are not present.");
    }

    /** Graph's answer to an unresolvable URL segment is a 400, not a 404. */
    static GraphError unknownSegment(String segment) {
        return badRequest("Resource not found for the segment '" + segment + "'.");
    }

    /**
     * What Graph answers for an expired or unknown delta token on directory objects (users, groups): a 400 with
     * code syncStateNotFound (Microsoft 365 Dev Blog, "Duration of change tracking tokens for identity and
     * education resources"). Other workloads answer 410 Gone; directory delta does not.
     */
    static GraphError syncStateNotFound() {
        return new GraphError(400, "syncStateNotFound",
                "The sync state generation is not found. The delta token is expired and data must be synchronized"
                        + " again.");
    }

    /** An injected failure, shaped like Graph's throttling and outage answers. */
    static GraphError injected(int status, String retryAfter) {
        Map<String, String> headers = retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
        return switch (status) {
            case 429 -> new GraphError(429, "TooManyRequests", "Too many requests. Please retry after the"
                    + " indicated delay.", headers);
            case 503 -> new GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please"
                    + " retry after the indicated delay.", headers);
            case 504 -> new GraphError(504, "UnknownError", "The gateway timed out.", headers);
            case 401 -> new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.",
                    headers);
            case 403 -> new GraphError(403, "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.", headers);
            case 404 -> new GraphError(404, "Request_ResourceNotFound", "The resource could not be found.",
                    headers);
            default -> new GraphError(status, status >= 500 ? "generalException" : "BadRequest",
                    "An error was injected by the Graph simulator.", headers);
        };
    }

    ObjectNode body(String requestId, String clientRequestId) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", getMessage());
        ObjectNode inner = error.putObject("innerError");
        inner.put("date", INNER_DATE.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        inner.put("request-id", requestId);
        inner.put("client-request-id", clientRequestId);
        return body;
    }
}
