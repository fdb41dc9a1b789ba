package io.github.provisioning;

import io.github.provisioning.auth.CredentialSettings;
import io.github.provisioning.auth.TargetCredentials;
import io.github.provisioning.cluster.JobLease;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.cycle.Quarantine;
import io.github.provisioning.graph.GraphCredential;
import io.github.provisioning.graph.GraphToken;
import io.github.provisioning.notify.NotificationSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.util.TimeUtils;

/**
 * The engine's settings, parsed here and checked once at start-up, so that a missing or malformed one is named
 * there, not discovered by the first cycle. Beans read typed values from it (the registry's {@code settings}).
 */
public final class Settings {

    /**
     * Settings that must have a value unless the sandbox provides them; Graph's credential too, a secret or a
     * certificate ({@link GraphCredential}), and the SCIM target's authentication, in one of its modes
     * ({@link TargetCredentials}).
     */
    static final List<String> REQUIRED = List.of("graph.tenant-id", "graph.client-id", "graph.login-url", "graph.url",
            "scim.url");

    /** The settings whose presence means "a real tenant and target": the sandbox stays off then. */
    static final List<String> CONNECTION = List.of("graph.tenant-id", "graph.client-id", GraphCredential.CLIENT_SECRET,
            GraphCredential.CLIENT_CERTIFICATE, GraphCredential.CLIENT_CERTIFICATE_PASSWORD, "scim.url",
            TargetCredentials.TOKEN, TargetCredentials.OAUTH2_TOKEN_URL, TargetCredentials.OAUTH2_CLIENT_ID,
            TargetCredentials.OAUTH2_CLIENT_SECRET, TargetCredentials.OAUTH2_SCOPE, TargetCredentials.META_APP_ID,
            TargetCredentials.META_APP_SECRET);

    /** The accidental-deletion guard's threshold: a whole number; 0 or less switches the guard off. */
    static final String DELETION_THRESHOLD = "provisioning.deletion-threshold";

    static final String CLUSTER = "provisioning.cluster.enabled";
    static final String CLUSTER_FAILOVER_TIMEOUT = "provisioning.cluster.failover-timeout";

    /** A duration setting's default and whether it must be more than zero (a timeout) or may be zero (a delay). */
    private record DurationSetting(String fallback, boolean positive) { }

    /** Every duration the engine reads, in Camel's format (500ms, 10s, 40m, 1h30m), with its default. */
    private static final Map<String, DurationSetting> DURATIONS = Map.ofEntries(
            Map.entry("provisioning.interval", new DurationSetting("40m", false)),
            Map.entry("provisioning.progress-interval", new DurationSetting("30s", true)),
            Map.entry("provisioning.escrow.base-delay", new DurationSetting("0s", false)),
            Map.entry("provisioning.escrow.max-delay", new DurationSetting("24h", false)),
            Map.entry("scim.retry-base-delay", new DurationSetting("1s", false)),
            Map.entry("scim.retry-max-delay", new DurationSetting("2m", false)),
            Map.entry("scim.connect-timeout", new DurationSetting("10s", false)),
            Map.entry("scim.response-timeout", new DurationSetting("60s", false)),
            Map.entry("graph.retry-base-delay", new DurationSetting("1s", false)),
            Map.entry("graph.retry-max-delay", new DurationSetting("2m", false)),
            Map.entry("graph.connect-timeout", new DurationSetting("10s", true)),
            Map.entry("graph.response-timeout", new DurationSetting("60s", true)),
            Map.entry(CLUSTER_FAILOVER_TIMEOUT, new DurationSetting("30s", true)));

    /** The on/off settings the engine reads, with their defaults. */
    private static final Map<String, Boolean> FLAGS = Map.of("provisioning.once", false, "provisioning.dry-run", false,
            "provisioning.test-connection", false, "camel.server.enabled", true, CLUSTER, false);

    private final Function<String, Optional<String>> lookup;

    Settings(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /** The SCIM target's credentials, in the one mode the settings choose. */
    TargetCredentials scimCredentials() {
        return CredentialSettings.from(this::get);
    }

    /** Graph's credential, a secret or a certificate read from its file. */
    GraphCredential graphCredential() {
        return GraphCredential.from(this::get, Clock.systemUTC());
    }

    /** The token's scope: {@code graph.scope}, else the {@code .default} scope of the Graph at {@code graph.url}. */
    String graphScope() {
        return get("graph.scope").orElseGet(() -> GraphToken.scopeFor(require("graph.url")));
    }

    Optional<String> get(String name) {
        return lookup.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    String require(String name) {
        return get(name).orElseThrow(() -> new IllegalArgumentException("Missing required setting: " + name));
    }

    boolean sandboxWanted() {
        String mode = get("sandbox.enabled").orElse("auto").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> CONNECTION.stream().allMatch(name -> get(name).isEmpty());
            default -> throw new IllegalArgumentException(
                    "Setting sandbox.enabled must be auto, true or false, not '" + mode + "'");
        };
    }

    /** Where the missing settings of the application settings go, the end of {@link #validate()}'s message. */
    static final String SET_THEM = "Set them in application.properties or with -Dname=value.";

    /** Names every missing required setting in one message, or the first malformed one. */
    void validate() {
        validate(SET_THEM);
    }

    /**
     * As {@link #validate()}, with the sentence that ends a message of missing settings: a job's settings say
     * where that job is defined.
     */
    void validate(String setThem) {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            if (get(name).isEmpty()) {
                missing.add(name);
            }
        }
        missing.addAll(GraphCredential.missing(this::get));
        missing.addAll(CredentialSettings.missing(this::get));
        String scope = get("provisioning.scope").orElse("assigned");
        if (!scope.equals("assigned") && !scope.equals("all")) {
            throw new IllegalArgumentException("Setting provisioning.scope must be 'assigned' or 'all', not '"
                    + scope + "'");
        }
        if (scope.equals("assigned") && get("graph.app-id").isEmpty()) {
            missing.add("graph.app-id (needed by provisioning.scope=assigned)");
        }
        deletionThreshold();
        graphMaxAttempts();
        DURATIONS.keySet().stream().sorted().forEach(this::duration);
        FLAGS.keySet().stream().sorted().forEach(this::flag);
        logMaxSize();
        logRetention();
        quarantinePolicy();
        missing.addAll(NotificationSettings.missing(this::get));
        cluster();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Missing required setting" + (missing.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", missing) + ". " + setThem);
        }
        graphScope();
        graphCredential();
        scimCredentials();
    }

    /**
     * Whether this engine is one of a cluster (provisioning.cluster.enabled), checked: a cluster shares its state in
     * PostgreSQL, and runs its jobs on a schedule.
     */
    boolean cluster() {
        if (!flag(CLUSTER)) {
            return false;
        }
        if (!get("provisioning.state.jdbc-url").orElse("").startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("Setting " + CLUSTER + "=true needs the state in PostgreSQL "
                    + "(provisioning.state.jdbc-url=jdbc:postgresql://...): the engines of a cluster share it, and "
                    + "an H2 state store is one process's file");
        }
        if (flag("provisioning.once")) {
            throw new IllegalArgumentException("Setting " + CLUSTER + "=true runs the jobs on a schedule; "
                    + "provisioning.once=true runs one cycle alone: set one of them");
        }
        if (duration(CLUSTER_FAILOVER_TIMEOUT).toMillis() < 3000) {
            throw new IllegalArgumentException("Setting " + CLUSTER_FAILOVER_TIMEOUT + " must be at least 3s, not '"
                    + get(CLUSTER_FAILOVER_TIMEOUT).orElse("") + "'");
        }
        return true;
    }

    /** This engine's name among the nodes of a cluster: provisioning.cluster.node-id, else host name and pid. */
    String nodeId() {
        return get("provisioning.cluster.node-id").orElseGet(JobLease::defaultNodeId);
    }

    /** The accidental-deletion guard's threshold (default 500); 0 or less switches the guard off. */
    int deletionThreshold() {
        String threshold = get(DELETION_THRESHOLD).orElse("500");
        try {
            return Integer.parseInt(threshold);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + DELETION_THRESHOLD + " must be a whole number (the "
                    + "most disables and deletes one cycle sends; 0 switches the guard off), not '" + threshold
                    + "'");
        }
    }

    /** graph.max-attempts (default 8): the attempts of one Graph request, the first included. */
    int graphMaxAttempts() {
        String value = get("graph.max-attempts").orElse("8");
        int attempts;
        try {
            attempts = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            attempts = 0;
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("Setting graph.max-attempts must be a whole number of at least 1"
                    + " (the attempts of one Graph request, the first included), not '" + value + "'");
        }
        return attempts;
    }

    /** A duration setting ({@link #DURATIONS}), or its default when it is not set. */
    Duration duration(String name) {
        DurationSetting setting = DURATIONS.get(name);
        if (setting == null) {
            throw new IllegalArgumentException("Not a duration setting: " + name);
        }
        String value = get(name).orElse(setting.fallback());
        long millis;
        try {
            millis = TimeUtils.toMilliSeconds(value);
        } catch (RuntimeException e) {
            millis = -1;
        }
        if (millis < 0 || setting.positive() && millis == 0) {
            throw new IllegalArgumentException("Setting " + name + " must be a" + (setting.positive() ? "" : " zero or")
                    + " positive duration (e.g. 500ms, 10s, 2m), not '" + value + "'");
        }
        return Duration.ofMillis(millis);
    }

    /** An on/off setting ({@link #FLAGS}): true or false in any case, or its default when it is not set. */
    boolean flag(String name) {
        Boolean fallback = FLAGS.get(name);
        if (fallback == null) {
            throw new IllegalArgumentException("Not an on/off setting: " + name);
        }
        String value = get(name).orElse(fallback.toString());
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("Setting " + name + " must be true or false, not '" + value + "'");
    }

    /** A whole-number setting without a range of its own (a port, a count, a seed), or its default. */
    long wholeNumber(String name, long fallback) {
        String value = get(name).orElse(String.valueOf(fallback));
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + name + " must be a whole number, not '" + value + "'");
        }
    }

    /** The provisioning log's size before it is rotated, in bytes (default 100MB). */
    long logMaxSize() {
        return LogFiles.maxSize(get(LogFiles.MAX_SIZE).orElse("100MB"));
    }

    /** How long rotated provisioning logs and cycle reports are kept (default 30 days). */
    Duration logRetention() {
        return LogFiles.retention(get(LogFiles.RETENTION_DAYS).orElse("30"));
    }

    /** When a failing job enters quarantine and how often it runs then (absent settings: Entra's values). */
    Quarantine.Policy quarantinePolicy() {
        return Quarantine.Policy.of(this::get);
    }
}
