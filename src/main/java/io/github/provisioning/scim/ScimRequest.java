package io.github.provisioning.scim;

/**
 * One request to the SCIM target, relative to {@code scim.url}.
 *
 * @param method GET, POST, PATCH, PUT or DELETE
 * @param path   e.g. {@code /Users/2819c223}
 * @param query  the encoded query string without '?', or null
 * @param body   the JSON body, or null
 */
public record ScimRequest(String method, String path, String query, String body) {

    public static ScimRequest get(String path, String query) {
        return new ScimRequest("GET", path, query, null);
    }

    public static ScimRequest post(String path, String body) {
        return new ScimRequest("POST", path, null, body);
    }

    public static ScimRequest patch(String path, String body) {
        return new ScimRequest("PATCH", path, null, body);
    }

    public static ScimRequest delete(String path) {
        return new ScimRequest("DELETE", path, null, null);
    }

    /**
     * The method as camel-http reads its {@code CamelHttpMethod} header. Given as a String, the header would go
     * through Camel's type-converter search on every request.
     */
    public org.apache.camel.component.http.HttpMethods httpMethod() {
        return org.apache.camel.component.http.HttpMethods.valueOf(method);
    }
}
