package io.github.provisioning.sandbox.scim;

/**
 * How a {@link ScimSandbox} is served.
 *
 * @param port                the loopback port to bind, 0 for an ephemeral one
 * @param bearerToken         the token every request must present as {@code Authorization: Bearer ...};
 *                            {@code null} means no authentication is required
 * @param groupsEnabled       whether {@code /Groups} exists; when {@code false} it answers 404 like a target
 *                            that only provisions users
 * @param threads             size of the fixed request-handling pool
 * @param maxRecordedRequests how many recorded requests are kept, oldest dropped first; a long benchmark can
 *                            lower it so the journal does not hold every body in memory
 * @param tokenClient         the client the sandbox's token endpoints issue access tokens to, or {@code null} for
 *                            no token endpoints; its tokens are accepted besides {@code bearerToken}
 * @param patchSupported      whether PATCH is served; when {@code false}, {@code /ServiceProviderConfig} says
 *                            {@code patch.supported=false} and every PATCH answers 501
 * @param filterSupported     whether list filters are served; when {@code false}, {@code /ServiceProviderConfig}
 *                            says {@code filter.supported=false} and a list request with a filter answers 501
 */
public record ScimSandboxConfig(int port, String bearerToken, boolean groupsEnabled, int threads, int maxRecordedRequests,
                                TokenClient tokenClient, boolean patchSupported, boolean filterSupported) {

    /**
     * A client of the sandbox's token endpoints: {@code POST /oauth2/token} (OAuth2 client credentials, the
     * credentials in the form or as HTTP Basic) and {@code POST /work_get_token} (Meta's flow,
     * {@code access_token=<id>|<secret>}). Both answer a fresh random token; Meta's keeps one active token per
     * integration, so a new one revokes the one before.
     *
     * @param lifetimeSeconds the {@code expires_in} of OAuth2 tokens (after it they are rejected); Meta's answer
     *                        carries no {@code expires_in} and its tokens live until revoked
     */
    public record TokenClient(String clientId, String clientSecret, int lifetimeSeconds) {

        public TokenClient {
            if (clientId == null || clientSecret == null || lifetimeSeconds < 1) {
                throw new IllegalArgumentException("a token client needs an id, a secret and a positive lifetime");
            }
        }

        @Override
        public String toString() {
            return "TokenClient[clientId=" + clientId + ", lifetimeSeconds=" + lifetimeSeconds + "]";
        }
    }

    public static final int KEEP_ALL_REQUESTS = Integer.MAX_VALUE;

    public ScimSandboxConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535 but was " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1 but was " + threads);
        }
        if (maxRecordedRequests < 0) {
            throw new IllegalArgumentException("maxRecordedRequests must not be negative");
        }
    }

    public ScimSandboxConfig(int port, String bearerToken, boolean groupsEnabled, int threads) {
        this(port, bearerToken, groupsEnabled, threads, KEEP_ALL_REQUESTS, null, true, true);
    }

    public ScimSandboxConfig(int port, String bearerToken, boolean groupsEnabled, int threads, int maxRecordedRequests) {
        this(port, bearerToken, groupsEnabled, threads, maxRecordedRequests, null, true, true);
    }

    /**
     * Ephemeral port, no authentication, groups enabled, a pool sized for parallel clients, every request kept.
     * At least 16 threads, because a {@link ScimFaults#slowDelay() slow reply} holds its thread while it waits.
     */
    public static ScimSandboxConfig defaults() {
        return new ScimSandboxConfig(0, null, true, Math.max(16, 2 * Runtime.getRuntime().availableProcessors()));
    }

    public ScimSandboxConfig withPort(int newPort) {
        return new ScimSandboxConfig(newPort, bearerToken, groupsEnabled, threads, maxRecordedRequests, tokenClient,
                patchSupported, filterSupported);
    }

    public ScimSandboxConfig withBearerToken(String newBearerToken) {
        return new ScimSandboxConfig(port, newBearerToken, groupsEnabled, threads, maxRecordedRequests, tokenClient,
                patchSupported, filterSupported);
    }

    public ScimSandboxConfig withGroupsEnabled(boolean newGroupsEnabled) {
        return new ScimSandboxConfig(port, bearerToken, newGroupsEnabled, threads, maxRecordedRequests, tokenClient,
                patchSupported, filterSupported);
    }

    public ScimSandboxConfig withThreads(int newThreads) {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, newThreads, maxRecordedRequests, tokenClient,
                patchSupported, filterSupported);
    }

    public ScimSandboxConfig withMaxRecordedRequests(int newMaxRecordedRequests) {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, threads, newMaxRecordedRequests, tokenClient,
                patchSupported, filterSupported);
    }

    /** Serves the token endpoints for this client; their tokens expire after an hour. */
    public ScimSandboxConfig withTokenClient(String clientId, String clientSecret) {
        return withTokenClient(new TokenClient(clientId, clientSecret, 3600));
    }

    public ScimSandboxConfig withTokenClient(TokenClient newTokenClient) {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, threads, maxRecordedRequests, newTokenClient,
                patchSupported, filterSupported);
    }

    /** A target without PATCH (RFC 7643 section 5 {@code patch.supported=false}): updates must be PUT. */
    public ScimSandboxConfig withoutPatch() {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, threads, maxRecordedRequests, tokenClient,
                false, filterSupported);
    }

    /** A target without filtering ({@code filter.supported=false}): its users can only be listed. */
    public ScimSandboxConfig withoutFilter() {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, threads, maxRecordedRequests, tokenClient,
                patchSupported, false);
    }
}
