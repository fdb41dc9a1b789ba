package io.github.provisioning.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.SandboxProvider;
import io.github.provisioning.sandbox.graph.GraphSimulator;
import io.github.provisioning.sandbox.graph.GraphSimulatorConfig;
import io.github.provisioning.sandbox.scim.ScimSandbox;
import io.github.provisioning.sandbox.scim.ScimSandboxConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a Graph simulator with a sample tenant and a SCIM target, both on loopback, so that the
 * bundle does something real with no settings at all. The demo provisions the tenant, applies a few scripted
 * changes (an update, a disable, a deletion) and provisions again.
 */
public final class Sandbox implements SandboxProvider.RunningSandbox {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    private final GraphSimulator graph;
    private final ScimSandbox scim;
    private final Path dataDir;

    private Sandbox(GraphSimulator graph, ScimSandbox scim, Path dataDir) {
        this.graph = graph;
        this.scim = scim;
        this.dataDir = dataDir;
    }

    /**
     * Starts both servers with a sample tenant of {@code users} users. State goes to {@code {dataDir}/sandbox},
     * emptied first: the simulator's delta links die with it, so old sandbox state means nothing.
     */
    public static Sandbox start(int users, long seed, Path dataDir) {
        Path sandboxData = dataDir.resolve("sandbox");
        deleteTree(sandboxData);
        // The JDK HTTP server delays keep-alive replies by ~40 ms without TCP_NODELAY; it reads this once.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        String clientSecret = "sandbox-" + UUID.randomUUID();
        String scimToken = "sandbox-" + UUID.randomUUID();
        GraphSimulatorConfig config = GraphSimulatorConfig.defaults()
                .withClientSecret(clientSecret)
                .withPageSize(20);
        GraphSimulator graph = GraphSimulator.start(config);
        graph.tenant().populateSample(users, seed);
        ScimSandbox scim = ScimSandbox.start(ScimSandboxConfig.defaults().withBearerToken(scimToken));
        LOG.info("Sandbox: Graph simulator at {} ({} users), SCIM target at {}", graph.graphUrl(), users, scim.baseUrl());
        return new Sandbox(graph, scim, sandboxData);
    }

    /** The settings that point the engine at the sandbox. */
    @Override
    public Properties settings() {
        Properties p = new Properties();
        p.putAll(connectionSettings(graph, scim));
        p.setProperty("provisioning.work-dir", dataDir.toString());
        return p;
    }

    /**
     * The settings that point the engine at this Graph simulator (its tenant, app registration and service
     * principal) and this SCIM sandbox (its bearer token).
     */
    public static Map<String, String> connectionSettings(GraphSimulator graph, ScimSandbox scim) {
        GraphSimulatorConfig config = graph.config();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("graph.login-url", graph.loginUrl());
        settings.put("graph.url", graph.graphUrl());
        settings.put("graph.tenant-id", config.tenantId());
        settings.put("graph.client-id", config.clientId());
        settings.put("graph.client-secret", config.clientSecret());
        settings.put("graph.app-id", config.appId());
        settings.put("scim.url", scim.baseUrl());
        settings.put("scim.token", scim.config().bearerToken());
        return settings;
    }

    /**
     * The settings of an engine under test against this Graph simulator and SCIM sandbox: the sandbox off, its data
     * in {@code dataDir}, a day between cycles (tests start the ones they want) and retries 50 ms apart.
     */
    public static Map<String, String> testEngineSettings(GraphSimulator graph, ScimSandbox scim, Path dataDir,
            int adminPort) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sandbox.enabled", "false");
        settings.putAll(connectionSettings(graph, scim));
        settings.put("provisioning.data-dir", dataDir.toString());
        settings.put("provisioning.interval", "24h");
        settings.put("admin.port", String.valueOf(adminPort));
        settings.put("scim.retry-base-delay", "50ms");
        settings.put("scim.retry-max-delay", "2s");
        settings.put("graph.retry-base-delay", "50ms");
        settings.put("graph.retry-max-delay", "2s");
        return settings;
    }

    public GraphSimulator graph() {
        return graph;
    }

    public ScimSandbox scim() {
        return scim;
    }

    /** Changes three provisioned users in the tenant: a new job title, a disabled account, a deleted account. */
    public void applyScriptedChanges() {
        List<ObjectNode> provisioned = scim.users().stream()
                .filter(u -> u.path("active").asBoolean(false))
                .sorted(Comparator.comparing(u -> u.path("userName").asText()))
                .toList();
        if (provisioned.size() < 3) {
            LOG.warn("Sandbox: fewer than 3 active accounts in the target; no scripted changes");
            return;
        }
        String updated = sourceId(provisioned.get(0));
        String disabled = sourceId(provisioned.get(1));
        String deleted = sourceId(provisioned.get(2));
        graph.tenant().updateUser(updated, Map.of("jobTitle", "Principal Engineer", "city", "Lisbon"));
        graph.tenant().updateUser(disabled, Map.of("accountEnabled", false));
        graph.tenant().hardDeleteUser(deleted);
        LOG.info("Sandbox: changed {} (job title, city), disabled {}, deleted {}", upn(updated), upn(disabled),
                provisioned.get(2).path("userName").asText());
    }

    /**
     * The end of the demo, on stdout: where its provisioning log and cycle reports are, and what to try next. With
     * {@code sandbox.keep-running=true} the engine stays up, and this says how to reach its admin API.
     */
    public void whatNext(CamelContext context) {
        boolean keepRunning = Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{sandbox.keep-running:false}}"));
        String admin = "http://" + context.resolvePropertyPlaceholders("{{admin.host}}") + ":"
                + context.resolvePropertyPlaceholders("{{admin.port}}");
        Path data = dataDir.toAbsolutePath().normalize();
        StringBuilder text = new StringBuilder()
                .append("Sandbox demo done. Provisioning log: ").append(data.resolve("provisioning-log.jsonl"))
                .append(", cycle reports: ").append(data.resolve("cycles")).append(File.separator).append('\n');
        if (keepRunning) {
            text.append("The engine and the sandbox keep running (sandbox.keep-running=true); Ctrl-C stops them.\n")
                    .append("Admin API at ").append(admin).append(" (docs/admin-api.md), for example:\n")
                    .append("  curl -s ").append(admin).append("/api/status\n")
                    .append("  curl -s -X POST ").append(admin).append("/api/expressions/evaluate")
                    .append(" -H 'Content-Type: application/json' -d '{\"expression\": \"Join(\\\" \\\", [givenName],")
                    .append(" [surname])\", \"user\": {\"givenName\": \"Adele\", \"surname\": \"Vance\"}}'\n");
        } else {
            text.append("Next: keep it running to try the admin API, preview and expression tester without a tenant:\n")
                    .append("  java -Dsandbox.keep-running=true -jar target/provisioning.jar\n")
                    .append("Connect your tenant and SCIM app: docs/configuration.md; every mode: --help\n");
        }
        System.out.print(text);
        System.out.flush();
    }

    private String sourceId(ObjectNode scimUser) {
        String userName = scimUser.path("userName").asText();
        return graph.tenant().userByUpn(userName).map(u -> u.path("id").asText())
                .orElseThrow(() -> new IllegalStateException("no tenant user for " + userName));
    }

    private String upn(String id) {
        return graph.tenant().user(id).map(u -> u.path("userPrincipalName").asText()).orElse(id);
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
        scim.close();
        graph.close();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot empty the sandbox data folder " + dir, e);
        }
    }
}
