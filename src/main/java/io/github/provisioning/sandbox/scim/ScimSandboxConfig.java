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
 */
public record ScimSandboxConfig(int port, String bearerToken, boolean groupsEnabled, int threads, int maxRecordedRequests) {

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
        this(port, bearerToken, groupsEnabled, threads, KEEP_ALL_REQUESTS);
    }

    /**
     * Ephemeral port, no authentication, groups enabled, a pool sized for parallel clients, every request kept.
     * At least 16 threads, because a {@link ScimFaults#slowDelay() slow reply} holds its thread while it waits.
     */
    public static ScimSandboxConfig defaults() {
        return new ScimSandboxConfig(0, null, true, Math.max(16, 2 * Runtime.getRuntime().availableProcessors()));
    }

    public ScimSandboxConfig withPort(int newPort) {
        return new ScimSandboxConfig(newPort, bearerToken, groupsEnabled, threads, maxRecordedRequests);
    }

    public ScimSandboxConfig withBearerToken(String newBearerToken) {
        return new ScimSandboxConfig(port, newBearerToken, groupsEnabled, threads, maxRecordedRequests);
    }

    public ScimSandboxConfig withGroupsEnabled(boolean newGroupsEnabled) {
        return new ScimSandboxConfig(port, bearerToken, newGroupsEnabled, threads, maxRecordedRequests);
    }

    public ScimSandboxConfig withThreads(int newThreads) {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, newThreads, maxRecordedRequests);
    }

    public ScimSandboxConfig withMaxRecordedRequests(int newMaxRecordedRequests) {
        return new ScimSandboxConfig(port, bearerToken, groupsEnabled, threads, newMaxRecordedRequests);
    }
}
