package io.github.provisioning.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak with its native SCIM 2.0 API, started once per test JVM by {@code scripts/keycloak/start.sh}
 * and stopped by {@code scripts/keycloak/stop.sh} when the test plan ends (or, failing that, when the JVM
 * exits).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KeycloakTarget.Lifecycle KEYCLOAK = KeycloakTarget.lifecycle();
 * ... KEYCLOAK.target().scimUrl()
 * }</pre>
 *
 * Keycloak runs in its own process on a Java 21+ JDK ({@link #javaHome()}); the first run on a machine downloads
 * and builds it into {@code ~/.cache/camel-entra-provisioning/keycloak}. The tests that use it carry the tag
 * {@value #TAG} and run only in the Maven profile {@code interop} (docs/development.md).
 */
public final class KeycloakTarget implements AutoCloseable {

    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The JUnit tag of the tests that need a Keycloak: the default build leaves them out, -Pinterop runs them. */
    public static final String TAG = "interop";
    /** Keycloak 26 runs on Java 21 or newer. */
    private static final int MINIMUM_JAVA = 21;

    /** Download, unzip and build on a cold machine, plus the boot itself. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Keycloak's SCIM API serves at most this many resources per page (ServiceProviderConfig filter.maxResults). */
    private static final int PAGE_SIZE = 100;

    private final Path repoDir;
    private final Path runDir;
    private final Properties properties;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook;
    private String token;
    private Instant tokenRefreshAt = Instant.MIN;
    private boolean stopped;

    private KeycloakTarget(Path repoDir, Path runDir, Properties properties) {
        this.repoDir = repoDir;
        this.runDir = runDir;
        this.properties = properties;
        this.shutdownHook = new Thread(this::stop, "keycloak-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A JUnit extension that starts the JVM's one Keycloak before the first class that registers it needs it. */
    public static Lifecycle lifecycle() {
        return new Lifecycle();
    }

    /** Runs {@code scripts/keycloak/start.sh target/keycloak} and reads what it wrote. */
    static KeycloakTarget start() {
        Path repoDir = Path.of("").toAbsolutePath();
        Path script = repoDir.resolve("scripts/keycloak/start.sh");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("no executable " + script + " (tests must run from the repository root)");
        }
        Path javaHome = javaHome();
        Path runDir = repoDir.resolve("target/keycloak");
        Path output = runDir.resolve("start.out");
        try {
            Files.createDirectories(runDir);
            ProcessBuilder builder = new ProcessBuilder(script.toString(), runDir.toString())
                    .directory(repoDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("KEYCLOAK_JAVA_HOME", javaHome.toString());
            Process process = builder.start();
            if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                runStopScript(repoDir, runDir);
                throw new IllegalStateException("start.sh did not finish within " + START_TIMEOUT + ":\n"
                        + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("start.sh exited with " + process.exitValue() + ":\n"
                        + Files.readString(output));
            }
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(runDir.resolve("keycloak.properties"))) {
                properties.load(in);
            }
            return new KeycloakTarget(repoDir, runDir, properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JDK Keycloak runs on: {@code -Dkeycloak.java.home}, else the environment variable
     * {@code KEYCLOAK_JAVA_HOME}, else this JVM's own when it is Java 21+. Fails, naming both settings, when none
     * is a Java 21+ JDK: the interop tests are never skipped for want of one.
     */
    static Path javaHome() {
        String property = System.getProperty("keycloak.java.home", "");
        String variable = System.getenv().getOrDefault("KEYCLOAK_JAVA_HOME", "");
        String setting = !property.isBlank() ? "-Dkeycloak.java.home=" + property
                : !variable.isBlank() ? "KEYCLOAK_JAVA_HOME=" + variable : null;
        if (setting == null) {
            if (Runtime.version().feature() >= MINIMUM_JAVA) {
                return Path.of(System.getProperty("java.home"));
            }
            throw new IllegalStateException("the Keycloak interop tests need a Java " + MINIMUM_JAVA + "+ JDK, and "
                    + "this build runs on Java " + Runtime.version().feature() + ": set KEYCLOAK_JAVA_HOME (or "
                    + "-Dkeycloak.java.home) to one, e.g. KEYCLOAK_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64");
        }
        Path home = Path.of(setting.substring(setting.indexOf('=') + 1));
        int feature = javaFeatureVersion(home);
        if (feature < MINIMUM_JAVA) {
            throw new IllegalStateException(setting + (feature == 0 ? " is not a JDK (no bin/java and release file)"
                    : " is Java " + feature) + ": the Keycloak interop tests need a Java " + MINIMUM_JAVA + "+ JDK");
        }
        return home;
    }

    /** The feature version ({@code 25}) in the JDK's {@code release} file; 0 when it is not a JDK. */
    private static int javaFeatureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(release)) {
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
            String feature = version.split("[.+-]")[version.startsWith("1.") ? 1 : 0]; // 1.8.0 is Java 8
            return feature.matches("\\d+") ? Integer.parseInt(feature) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SCIM base URL, e.g. {@code http://127.0.0.1:PORT/realms/provisioning/scim/v2}; no trailing slash. */
    public String scimUrl() {
        return property("scim.url");
    }

    public String tokenUrl() {
        return property("scim.oauth2.token-url");
    }

    public String clientId() {
        return property("scim.oauth2.client-id");
    }

    public String clientSecret() {
        return property("scim.oauth2.client-secret");
    }

    /** Everything start.sh wrote to keycloak.properties, for a test that configures the engine with it. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** A client-credentials access token, fetched again a minute before it expires. */
    public synchronized String accessToken() {
        if (token == null || Instant.now().isAfter(tokenRefreshAt)) {
            String form = "grant_type=client_credentials&client_id=" + encode(clientId())
                    + "&client_secret=" + encode(clientSecret());
            ScimReply reply = send(HttpRequest.newBuilder(URI.create(tokenUrl()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
            if (reply.status() != 200) {
                throw new IllegalStateException("token request answered " + reply.status() + ": " + reply.body());
            }
            JsonNode json = reply.json();
            token = json.get("access_token").asText();
            tokenRefreshAt = Instant.now().plusSeconds(Math.max(0, json.path("expires_in").asLong(60) - 60));
        }
        return token;
    }

    // --- SCIM calls with the engine's token -----------------------------------------------------------------

    /** {@code path} is relative to {@link #scimUrl()} and may carry a query already encoded. */
    public ScimReply get(String path) {
        return call("GET", path, null);
    }

    public ScimReply post(String path, String json) {
        return call("POST", path, json);
    }

    public ScimReply put(String path, String json) {
        return call("PUT", path, json);
    }

    public ScimReply patch(String path, String json) {
        return call("PATCH", path, json);
    }

    public ScimReply delete(String path) {
        return call("DELETE", path, null);
    }

    public ScimReply call(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scimUrl() + path))
                .header("Accept", "application/scim+json")
                .header("Authorization", "Bearer " + accessToken())
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/scim+json");
        }
        return send(request);
    }

    // --- reading what Keycloak stored ----------------------------------------------------------------------

    /** The stored user, as a GET returns it, found with {@code userName eq "..."}; empty when there is none. */
    public Optional<JsonNode> userByUserName(String userName) {
        ScimReply reply = get("/Users?filter=" + encode("userName eq " + quoted(userName)));
        reply.expect(200);
        JsonNode resources = reply.json().path("Resources");
        if (resources.size() > 1) {
            throw new IllegalStateException("userName " + userName + " matches " + resources.size() + " users");
        }
        return resources.isEmpty() ? Optional.empty() : Optional.of(resources.get(0));
    }

    /** Every user the SCIM API lists (service accounts are not among them), page by page. */
    public List<JsonNode> users() {
        return list("/Users");
    }

    public List<JsonNode> groups() {
        return list("/Groups");
    }

    /** Deletes every SCIM group and user, so that each test starts from an empty realm. */
    public void deleteAllUsersAndGroups() {
        for (JsonNode group : groups()) {
            delete("/Groups/" + group.get("id").asText()).expect(204);
        }
        for (JsonNode user : users()) {
            delete("/Users/" + user.get("id").asText()).expect(204);
        }
    }

    private List<JsonNode> list(String resourcePath) {
        List<JsonNode> all = new ArrayList<>();
        int startIndex = 1;
        while (true) {
            ScimReply reply = get(resourcePath + "?startIndex=" + startIndex + "&count=" + PAGE_SIZE);
            reply.expect(200);
            JsonNode page = reply.json();
            page.path("Resources").forEach(all::add);
            int onPage = page.path("Resources").size();
            if (onPage == 0 || all.size() >= page.path("totalResults").asInt()) {
                return all;
            }
            startIndex += onPage;
        }
    }

    // --- lifecycle -------------------------------------------------------------------------------------------

    /** Runs {@code scripts/keycloak/stop.sh}; a second call does nothing. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        runStopScript(repoDir, runDir);
    }

    private static void runStopScript(Path repoDir, Path runDir) {
        try {
            Process process = new ProcessBuilder(repoDir.resolve("scripts/keycloak/stop.sh").toString(),
                    runDir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve("stop.out").toFile()))
                    .start();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: nothing left to undo
        }
    }

    private String property(String name) {
        String value = properties.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " missing from " + runDir.resolve("keycloak.properties"));
        }
        return value;
    }

    private ScimReply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(CALL_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new ScimReply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Percent-encodes a query value; a space becomes {@code %20}, not {@code +}. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A JSON string literal: the SCIM filter grammar quotes and escapes strings the way JSON does. */
    static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A status and body as Keycloak answered them. */
    public record ScimReply(int status, String body) {

        /** The body as JSON; {@code null} for an empty body. */
        public JsonNode json() {
            try {
                return body == null || body.isEmpty() ? null : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** Fails with the body when the status is another one. */
        public ScimReply expect(int expected) {
            if (status != expected) {
                throw new IllegalStateException("expected " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }

    /**
     * Starts Keycloak at most once per JVM, keeping it in the root store so that JUnit closes it (and so stops
     * Keycloak) after the last test of the run, whichever classes share it.
     */
    public static final class Lifecycle implements BeforeAllCallback {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakTarget.class);

        private KeycloakTarget target;

        @Override
        public void beforeAll(ExtensionContext context) {
            target = context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent("keycloak", key -> KeycloakTarget.start(), KeycloakTarget.class);
        }

        /** The running target; only from a test or a {@code @BeforeEach}/{@code @AfterEach} on. */
        public KeycloakTarget target() {
            if (target == null) {
                throw new IllegalStateException("Keycloak is not started: register the extension as a static field");
            }
            return target;
        }
    }
}
