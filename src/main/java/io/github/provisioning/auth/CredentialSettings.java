package io.github.provisioning.auth;

import static io.github.provisioning.auth.TargetCredentials.META_APP_ID;
import static io.github.provisioning.auth.TargetCredentials.META_APP_SECRET;
import static io.github.provisioning.auth.TargetCredentials.META_TOKEN_URL;
import static io.github.provisioning.auth.TargetCredentials.OAUTH2_CLIENT_ID;
import static io.github.provisioning.auth.TargetCredentials.OAUTH2_CLIENT_SECRET;
import static io.github.provisioning.auth.TargetCredentials.OAUTH2_SCOPE;
import static io.github.provisioning.auth.TargetCredentials.OAUTH2_TOKEN_URL;
import static io.github.provisioning.auth.TargetCredentials.TOKEN;

import io.github.provisioning.auth.TargetCredentials.BearerToken;
import io.github.provisioning.auth.TargetCredentials.MetaApp;
import io.github.provisioning.auth.TargetCredentials.OAuth2Client;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which of the three authentication modes the settings choose, and whether it is complete. A mode is chosen by
 * any of its own settings, so a half-configured mode is named rather than silently replaced by another; settings
 * of two modes at once are an error.
 */
public final class CredentialSettings {

    private CredentialSettings() {
    }

    /**
     * The settings that the chosen mode still needs, each with why; empty when the mode is complete. Nothing
     * set at all asks for {@code scim.token} or one of the other modes.
     *
     * @throws IllegalArgumentException when settings of more than one mode are set
     */
    public static List<String> missing(Function<String, Optional<String>> setting) {
        List<String> missing = new ArrayList<>();
        switch (mode(setting)) {
            case NONE -> missing.add(TOKEN + " (or " + OAUTH2_TOKEN_URL + ", " + OAUTH2_CLIENT_ID + " and "
                    + OAUTH2_CLIENT_SECRET + "; or " + META_APP_ID + " and " + META_APP_SECRET + ")");
            case STATIC -> {
            }
            case OAUTH2 -> {
                for (String name : List.of(OAUTH2_TOKEN_URL, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET)) {
                    if (setting.apply(name).isEmpty()) {
                        missing.add(name + " (needed by OAuth2 authentication to the SCIM target)");
                    }
                }
            }
            case META -> {
                for (String name : List.of(META_TOKEN_URL, META_APP_ID, META_APP_SECRET)) {
                    if (setting.apply(name).isEmpty()) {
                        missing.add(name + " (needed by Meta work_get_token authentication to the SCIM target)");
                    }
                }
            }
        }
        return missing;
    }

    /**
     * The credentials the settings describe. {@code setting} answers a name's trimmed value, empty when it is
     * unset or blank.
     *
     * @throws IllegalArgumentException naming the settings that are missing, in conflict, or not a URL
     */
    public static TargetCredentials from(Function<String, Optional<String>> setting) {
        List<String> missing = missing(setting);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Missing required setting" + (missing.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", missing));
        }
        return switch (mode(setting)) {
            case STATIC -> new BearerToken(setting.apply(TOKEN).orElseThrow());
            case OAUTH2 -> new OAuth2Client(url(setting, OAUTH2_TOKEN_URL), setting.apply(OAUTH2_CLIENT_ID).orElseThrow(),
                    setting.apply(OAUTH2_CLIENT_SECRET).orElseThrow(), setting.apply(OAUTH2_SCOPE).orElse(null));
            case META -> new MetaApp(url(setting, META_TOKEN_URL), setting.apply(META_APP_ID).orElseThrow(),
                    setting.apply(META_APP_SECRET).orElseThrow());
            case NONE -> throw new IllegalStateException("unreachable: missing() names the token");
        };
    }

    private enum Mode { NONE, STATIC, OAUTH2, META }

    /** A mode is chosen by any of its own settings; the defaulted Meta token URL chooses nothing. */
    private static Mode mode(Function<String, Optional<String>> setting) {
        List<String> set = new ArrayList<>();
        List<Mode> modes = new ArrayList<>();
        if (anySet(setting, List.of(TOKEN), set)) {
            modes.add(Mode.STATIC);
        }
        if (anySet(setting, List.of(OAUTH2_TOKEN_URL, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, OAUTH2_SCOPE), set)) {
            modes.add(Mode.OAUTH2);
        }
        if (anySet(setting, List.of(META_APP_ID, META_APP_SECRET), set)) {
            modes.add(Mode.META);
        }
        if (modes.size() > 1) {
            throw new IllegalArgumentException("The SCIM target's authentication is configured more than once ("
                    + String.join(", ", set) + " are set). Set exactly one of: " + TOKEN + " (a static bearer token); "
                    + "scim.oauth2.* (OAuth2 client credentials); " + META_APP_ID + " and " + META_APP_SECRET
                    + " (Meta work_get_token).");
        }
        return modes.isEmpty() ? Mode.NONE : modes.get(0);
    }

    private static boolean anySet(Function<String, Optional<String>> setting, List<String> names, List<String> set) {
        boolean any = false;
        for (String name : names) {
            if (setting.apply(name).isPresent()) {
                set.add(name);
                any = true;
            }
        }
        return any;
    }

    private static String url(Function<String, Optional<String>> setting, String name) {
        String value = setting.apply(name).orElseThrow();
        if (!value.startsWith("https://") && !value.startsWith("http://")) {
            throw new IllegalArgumentException("Setting " + name + " must be an http(s) URL, not '" + value + "'");
        }
        return value;
    }

}
