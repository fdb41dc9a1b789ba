package io.github.provisioning;

import io.github.provisioning.auth.CredentialSettings;
import io.github.provisioning.auth.TargetCredentials;
import io.github.provisioning.cycle.LogFiles;
import io.github.provisioning.graph.GraphCredential;
import io.github.provisioning.graph.GraphToken;
import io.github.provisioning.notify.NotificationSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.util.TimeUtils;

/**
 * The settings the engine cannot start without, checked once at start-up so that a missing one is named there,
 * not discovered by the first cycle.
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

    /** Names every missing required setting in one message. */
    void validate() {
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
            throw new IllegalArgumentException("Setting provisioning.scope must be 'assigned' or 'all', not '" + scope + "'");
        }
        if (scope.equals("assigned") && get("graph.app-id").isEmpty()) {
            missing.add("graph.app-id (needed by provisioning.scope=assigned)");
        }
        get(DELETION_THRESHOLD).ifPresent(threshold -> {
            try {
                Integer.parseInt(threshold);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Setting " + DELETION_THRESHOLD + " must be a whole number (the "
                        + "most disables and deletes one cycle sends; 0 switches the guard off), not '" + threshold
                        + "'");
            }
        });
        checkGraphRetries();
        get(LogFiles.MAX_SIZE).ifPresent(LogFiles::maxSize);
        get(LogFiles.RETENTION_DAYS).ifPresent(LogFiles::retention);
        missing.addAll(NotificationSettings.missing(this::get));
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Missing required setting" + (missing.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", missing) + ". Set them in application.properties or with -Dname=value.");
        }
        graphScope();
        graphCredential();
        scimCredentials();
    }

    /** graph.max-attempts, the retry delays and the timeouts of Graph requests, each named when it is wrong. */
    private void checkGraphRetries() {
        get("graph.max-attempts").ifPresent(value -> {
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
        });
        for (String name : List.of("graph.retry-base-delay", "graph.retry-max-delay")) {
            duration(name, false);
        }
        for (String name : List.of("graph.connect-timeout", "graph.response-timeout")) {
            duration(name, true);
        }
    }

    private void duration(String name, boolean positive) {
        get(name).ifPresent(value -> {
            long millis;
            try {
                millis = TimeUtils.toMilliSeconds(value);
            } catch (RuntimeException e) {
                millis = -1;
            }
            if (millis < 0 || positive && millis == 0) {
                throw new IllegalArgumentException("Setting " + name + " must be a" + (positive ? "" : " zero or")
                        + " positive duration (e.g. 500ms, 10s, 2m), not '" + value + "'");
            }
        });
    }
}
