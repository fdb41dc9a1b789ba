package io.github.provisioning.notify;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The e-mail settings, checked at start-up: notifications are off while {@code notify.to} is empty; when it is
 * set, everything needed to send is named if missing, and a bad address or number stops start-up.
 */
public final class NotificationSettings {

    public static final String TO = "notify.to";
    public static final String FROM = "notify.from";
    public static final String MAX_FAILURES_LISTED = "notify.max-failures-listed";
    public static final String HOST = "mail.smtp.host";
    public static final String PORT = "mail.smtp.port";
    public static final String USERNAME = "mail.smtp.username";
    public static final String PASSWORD = "mail.smtp.password";
    public static final String STARTTLS = "mail.smtp.starttls";

    private NotificationSettings() {
    }

    public static boolean enabled(Function<String, Optional<String>> settings) {
        return settings.apply(TO).isPresent();
    }

    /** The settings that notifications need and lack; throws for a value that is there but wrong. */
    public static List<String> missing(Function<String, Optional<String>> settings) {
        List<String> missing = new ArrayList<>();
        if (!enabled(settings)) {
            return missing;
        }
        addresses(TO, settings.apply(TO).orElseThrow());
        settings.apply(FROM).ifPresentOrElse(from -> addresses(FROM, from), () -> missing.add(FROM + " (needed by " + TO + ")"));
        if (settings.apply(HOST).isEmpty()) {
            missing.add(HOST + " (needed by " + TO + ")");
        }
        number(PORT, settings.apply(PORT).orElse("25"), 1, 65535);
        number(MAX_FAILURES_LISTED, settings.apply(MAX_FAILURES_LISTED).orElse("20"), 0, 10_000);
        String starttls = settings.apply(STARTTLS).orElse("false");
        if (!starttls.equals("true") && !starttls.equals("false")) {
            throw new IllegalArgumentException("Setting " + STARTTLS + " must be true or false, not '" + starttls + "'");
        }
        if (settings.apply(USERNAME).isPresent() && settings.apply(PASSWORD).isEmpty()) {
            missing.add(PASSWORD + " (needed by " + USERNAME + ")");
        }
        return missing;
    }

    private static void addresses(String name, String value) {
        try {
            if (InternetAddress.parse(value, true).length == 0) {
                throw new AddressException("no address");
            }
        } catch (AddressException e) {
            throw new IllegalArgumentException("Setting " + name + " is not a comma-separated list of e-mail addresses: '"
                    + MailText.oneLine(value) + "' (" + e.getMessage() + ")");
        }
    }

    private static void number(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("Setting " + name + " must be a number from " + min + " to " + max
                + ", not '" + value + "'");
    }
}
