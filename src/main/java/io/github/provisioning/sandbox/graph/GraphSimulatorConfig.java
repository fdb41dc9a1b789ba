package io.github.provisioning.sandbox.graph;

import java.util.Objects;

/**
 * How a {@link GraphSimulator} presents itself.
 *
 * @param tenantId             the directory (tenant) id in the token URL
 * @param clientId             the app registration's client id
 * @param clientSecret         the app registration's secret
 * @param appId                the object id of the app's service principal (appRoleAssignedTo is read from it)
 * @param port                 the loopback port; 0 picks a free one
 * @param pageSize             entries per delta page (groups delta: at most this many groups and members@delta)
 * @param tokenLifetimeSeconds expires_in of issued access tokens; Entra issues 60 to 90 minutes
 * @param emptyPages           Graph quirk: every delta round has an empty page that still carries a nextLink
 * @param repeatUsers          Graph quirk: some users come twice in one users delta round, on different pages
 */
public record GraphSimulatorConfig(String tenantId, String clientId, String clientSecret, String appId, int port,
                                   int pageSize, int tokenLifetimeSeconds, boolean emptyPages,
                                   boolean repeatUsers) {

    public GraphSimulatorConfig {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(appId, "appId");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive");
        }
        if (tokenLifetimeSeconds < 1) {
            throw new IllegalArgumentException("tokenLifetimeSeconds must be positive");
        }
    }

    /** A fictitious tenant, app and secret on an ephemeral port, 100 users per page, one-hour tokens. */
    public static GraphSimulatorConfig defaults() {
        return new GraphSimulatorConfig("4f8e1c2a-6b3d-4e5f-9a7b-1c2d3e4f5a6b",
                "2b7e9c1a-4d3f-4a6b-8e5c-7f1a2b3c4d5e", "sandbox-client-secret",
                "9d4c2b1a-7e6f-4a5b-8c3d-2e1f0a9b8c7d", 0, 100, 3599, false, false);
    }

    public GraphSimulatorConfig withTenantId(String value) {
        return new GraphSimulatorConfig(value, clientId, clientSecret, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withClientId(String value) {
        return new GraphSimulatorConfig(tenantId, value, clientSecret, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withClientSecret(String value) {
        return new GraphSimulatorConfig(tenantId, clientId, value, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withAppId(String value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, value, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withPort(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, value, pageSize,
                tokenLifetimeSeconds, emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withPageSize(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, value, tokenLifetimeSeconds,
                emptyPages, repeatUsers);
    }

    public GraphSimulatorConfig withTokenLifetimeSeconds(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize, value, emptyPages,
                repeatUsers);
    }

    public GraphSimulatorConfig withEmptyPages(boolean value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize,
                tokenLifetimeSeconds, value, repeatUsers);
    }

    public GraphSimulatorConfig withRepeatUsers(boolean value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize,
                tokenLifetimeSeconds, emptyPages, value);
    }
}
