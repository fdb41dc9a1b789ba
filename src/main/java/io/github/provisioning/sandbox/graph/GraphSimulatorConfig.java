package io.github.provisioning.sandbox.graph;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
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
 * @param clientCertificates   the certificates uploaded to the app registration ("Certificates &amp; secrets"): a
 *                             client assertion signed with one of their keys authenticates the app too
 */
public record GraphSimulatorConfig(String tenantId, String clientId, String clientSecret, String appId, int port,
                                   int pageSize, int tokenLifetimeSeconds, boolean emptyPages,
                                   boolean repeatUsers, List<X509Certificate> clientCertificates) {

    public GraphSimulatorConfig {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(appId, "appId");
        clientCertificates = List.copyOf(clientCertificates);
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
                "9d4c2b1a-7e6f-4a5b-8c3d-2e1f0a9b8c7d", 0, 100, 3599, false, false, List.of());
    }

    public GraphSimulatorConfig withTenantId(String value) {
        return new GraphSimulatorConfig(value, clientId, clientSecret, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withClientId(String value) {
        return new GraphSimulatorConfig(tenantId, value, clientSecret, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withClientSecret(String value) {
        return new GraphSimulatorConfig(tenantId, clientId, value, appId, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withAppId(String value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, value, port, pageSize, tokenLifetimeSeconds,
                emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withPort(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, value, pageSize,
                tokenLifetimeSeconds, emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withPageSize(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, value, tokenLifetimeSeconds,
                emptyPages, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withTokenLifetimeSeconds(int value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize, value, emptyPages,
                repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withEmptyPages(boolean value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize,
                tokenLifetimeSeconds, value, repeatUsers,
                clientCertificates);
    }

    public GraphSimulatorConfig withRepeatUsers(boolean value) {
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize,
                tokenLifetimeSeconds, emptyPages, value,
                clientCertificates);
    }

    /** Uploads one more certificate to the app registration. */
    public GraphSimulatorConfig withClientCertificate(X509Certificate value) {
        List<X509Certificate> certificates = new ArrayList<>(clientCertificates);
        certificates.add(value);
        return new GraphSimulatorConfig(tenantId, clientId, clientSecret, appId, port, pageSize,
                tokenLifetimeSeconds, emptyPages, repeatUsers, certificates);
    }
}
