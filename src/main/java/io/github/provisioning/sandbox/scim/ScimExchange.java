package io.github.provisioning.sandbox.scim;

import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ErrorResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The HTTP-free shape of one SCIM call, so the protocol logic can be read without HttpServer plumbing. */
final class ScimExchange {

    static final String CONTENT_TYPE = "application/scim+json";

    private ScimExchange() {
    }

    /**
     * @param method     upper-case HTTP method
     * @param path       path relative to the base URL, e.g. {@code /Users/42}
     * @param parameters query parameters by lower-case name (RFC 7644 parameter names are matched
     *                   case-insensitively here), first value wins
     * @param headers    request headers by lower-case name
     * @param body       the raw body, or {@code null}
     */
    record Request(String method, String path, Map<String, String> parameters, Map<String, List<String>> headers,
                   String body) {

        String parameter(String name) {
            return parameters.get(name.toLowerCase(Locale.ROOT));
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * @param status  HTTP status
     * @param headers extra response headers (Content-Type is added when there is a body)
     * @param body    the serialised body, or {@code null} for none
     */
    record Response(int status, Map<String, String> headers, byte[] body) {

        static Response json(int status, Object body) {
            return new Response(status, Map.of(), ScimJson.bytes(body));
        }

        static Response empty(int status) {
            return new Response(status, Map.of(), null);
        }

        /** RFC 7644 §3.12: every error is a SCIM Error message; status is a string there. */
        static Response error(ScimException e) {
            ErrorResponse error = e.getScimError();
            if (error.getDetail() == null) {
                error.setDetail(e.getMessage());
            }
            return json(error.getStatus(), error);
        }

        static Response error(int status, String scimType, String detail) {
            ErrorResponse error = new ErrorResponse(status);
            error.setScimType(scimType);
            error.setDetail(detail);
            return json(status, error);
        }

        Response withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Response(status, Map.copyOf(copy), body);
        }
    }
}
