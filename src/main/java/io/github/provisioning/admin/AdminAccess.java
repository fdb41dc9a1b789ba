package io.github.provisioning.admin;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Who may use the admin API. On a loopback address without {@code admin.token}, anyone on this machine; bound
 * anywhere else, a token is required (start-up fails without one), and with a token every request on the admin
 * server must carry {@code Authorization: Bearer <admin.token>}. The check is a Vert.x handler in front of every
 * route of the server, so endpoints added later are covered too. Only the status page's own static files load
 * without it ({@link #isStatusPageFile}): they hold no data, and the page asks for the token to read the API.
 */
public final class AdminAccess {

    /** The body and challenge of a 401, for whichever server answers it. */
    public static final String UNAUTHORIZED = "{\"error\":{\"message\":\"This admin API requires "
            + "Authorization: Bearer <admin.token>\"}}";
    public static final String CHALLENGE = "Bearer realm=\"admin\"";

    private final byte[] tokenDigest;

    private AdminAccess(String token) {
        this.tokenDigest = sha256("Bearer " + token);
    }

    /**
     * Checks the settings at start-up.
     *
     * @return the access check to install, or null when the API is open to loopback callers only
     */
    public static AdminAccess of(String host, String token) {
        boolean hasToken = token != null && !token.isBlank();
        if (!hasToken && !isLoopback(host)) {
            throw new IllegalArgumentException("Setting admin.token is required: admin.host (" + host
                    + ") is not a loopback address, so the admin API must be protected by a bearer token");
        }
        return hasToken ? new AdminAccess(token.strip()) : null;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Setting admin.host does not resolve: " + host);
        }
    }

    /** Puts the check in front of every route of the admin server; fails when the server is not there. */
    public void install(CamelContext context, int port) {
        Router router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("The admin API server is not running; cannot protect it with admin.token");
        }
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    /** Whether an Authorization header value carries the token; compares digests in constant time. */
    public boolean accepts(String authorization) {
        return authorization != null && MessageDigest.isEqual(tokenDigest, sha256(authorization.strip()));
    }

    private void check(RoutingContext request) {
        if (accepts(request.request().getHeader("Authorization")) || isStatusPageFile(request)) {
            request.next();
            return;
        }
        request.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", CHALLENGE)
                .putHeader("Content-Type", "application/json")
                .end(UNAUTHORIZED);
    }

    /**
     * A GET of one of the status page's own files, which must load without the token so that the page can ask for
     * it. The raw path must be one of them exactly (a path such as {@code /page.js/../api/status} is not), and so
     * must the path Vert.x routes by; every other path stays guarded.
     */
    static boolean isStatusPageFile(RoutingContext request) {
        String path = request.request().path();
        return isStatusPageFile(request.request().method().name(), path) && path.equals(request.normalizedPath());
    }

    /**
     * Whether a request may skip the token because it fetches one of the status page's files: a GET whose raw
     * path (as sent, not decoded nor normalized) is exactly one of them. For a server in front of the engine's.
     */
    public static boolean isStatusPageFile(String method, String rawPath) {
        return "GET".equals(method) && StatusPage.OPEN_PATHS.contains(rawPath);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
