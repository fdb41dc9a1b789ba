package io.github.provisioning.admin;

import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Who may use the admin API. On a loopback address without {@code admin.token}, anyone on this machine; bound
 * anywhere else, a token is required (start-up fails without one), and with a token every request on the admin
 * server must carry {@code Authorization: Bearer <admin.token>}. Either way, a request that would change something
 * (any method but GET, HEAD and OPTIONS) sent by a web page of another origin is refused: without a token, any page
 * open in the admin's browser could otherwise post to the API. The check is a Vert.x handler in front of every
 * route of the server, so endpoints added later are covered too. The liveness and readiness paths answer without the
 * token, with the state only: a container platform's probes (Kubernetes' httpGet) cannot send a secret.
 */
public final class AdminAccess {

    /** The body and challenge of a 401, for whichever server answers it. */
    public static final String UNAUTHORIZED = "{\"error\":{\"message\":\"This admin API requires "
            + "Authorization: Bearer <admin.token>\"}}";
    public static final String CHALLENGE = "Bearer realm=\"admin\"";

    /** The body of a 403 for a cross-site write. */
    public static final String CROSS_SITE = "{\"error\":{\"message\":\"A web page of another origin may not change "
            + "anything through this admin API\"}}";

    /**
     * The health paths a container platform probes: Kubernetes' httpGet probes send no secret, so these two answer
     * without the token, with the state only (everything else at /observe stays guarded).
     */
    public static final Set<String> PROBE_PATHS = Set.of("/observe/health/live", "/observe/health/ready");

    /** Null without a token. */
    private final byte[] tokenDigest;

    private AdminAccess(String token) {
        this.tokenDigest = token == null ? null : sha256("Bearer " + token);
    }

    /**
     * Checks the settings at start-up.
     *
     * @return the access check to install; without a token it refuses cross-site writes only
     */
    public static AdminAccess of(String host, String token) {
        boolean hasToken = token != null && !token.isBlank();
        if (!hasToken && !isLoopback(host)) {
            throw new IllegalArgumentException("Setting admin.token is required: admin.host (" + host
                    + ") is not a loopback address, so the admin API must be protected by a bearer token");
        }
        return new AdminAccess(hasToken ? token.strip() : null);
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

    /**
     * Whether an Authorization header value carries the token (compares digests in constant time); without a token
     * every request is accepted.
     */
    public boolean accepts(String authorization) {
        return tokenDigest == null
                || authorization != null && MessageDigest.isEqual(tokenDigest, sha256(authorization.strip()));
    }

    /**
     * Whether a request would change something on behalf of a web page of another origin: a browser sends
     * {@code Origin} with every such request, and a page of the admin server's own origin names its {@code Host}.
     * A request without {@code Origin} (curl, scripts) is not one.
     */
    public static boolean isCrossSiteWrite(String method, String origin, String host) {
        if (origin == null || "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return false;
        }
        return host == null
                || !(origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    }

    private void check(RoutingContext request) {
        if (isCrossSiteWrite(request.request().method().name(), request.request().getHeader("Origin"),
                authority(request))) {
            request.response().setStatusCode(403)
                    .putHeader("Content-Type", "application/json")
                    .end(CROSS_SITE);
            return;
        }
        if (accepts(request.request().getHeader("Authorization")) || isStatusPageFile(request)) {
            request.next();
            return;
        }
        if (isProbe(request)) {
            // Without the token a probe learns the state (200 or 503), not the checks' messages: Camel's health
            // endpoint answers in one line, whatever the query asked for.
            request.request().params().clear().set("exposureLevel", "oneline");
            request.next();
            return;
        }
        request.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", CHALLENGE)
                .putHeader("Content-Type", "application/json")
                .end(UNAUTHORIZED);
    }

    /** The host and port the request was sent to: its Host header, or HTTP/2's :authority. */
    private static String authority(RoutingContext request) {
        HostAndPort authority = request.request().authority();
        if (authority == null) {
            return null;
        }
        return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
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

    /** A GET of a probe path, by its raw path exactly as {@link #isStatusPageFile(RoutingContext)} checks. */
    static boolean isProbe(RoutingContext request) {
        String path = request.request().path();
        return isProbe(request.request().method().name(), path) && path.equals(request.normalizedPath());
    }

    /** Whether a request may skip the token because it is a liveness or readiness probe ({@link #PROBE_PATHS}). */
    public static boolean isProbe(String method, String rawPath) {
        return ("GET".equals(method) || "HEAD".equals(method)) && PROBE_PATHS.contains(rawPath);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
