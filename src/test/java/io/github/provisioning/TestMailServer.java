package io.github.provisioning;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real SMTP server (GreenMail) on a free loopback port for each test ({@code @RegisterExtension}), with the
 * mailbox {@value #OPS} whose login is {@value #LOGIN} and a password fresh per test, so that a test looking for it
 * in mails and logs finds only its own.
 */
final class TestMailServer implements BeforeEachCallback, AfterEachCallback {

    static final String OPS = "ops@example.org";
    static final String ONCALL = "oncall@example.org";
    static final String LOGIN = "notifier";
    static final String FROM = "provisioning@example.org";

    private GreenMail server;
    private String password;

    @Override
    public void beforeEach(ExtensionContext context) {
        server = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        server.start();
        password = "mail-secret-" + UUID.randomUUID();
        server.setUser(OPS, LOGIN, password);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.stop();
    }

    GreenMail server() {
        return server;
    }

    String password() {
        return password;
    }

    /** The engine's e-mail settings for this server: notify.to the recipients, with or without the SMTP login. */
    void configure(Map<String, String> settings, boolean login, String... recipients) {
        settings.put("notify.to", String.join(", ", recipients));
        settings.put("notify.from", FROM);
        settings.put("mail.smtp.host", "127.0.0.1");
        settings.put("mail.smtp.port", String.valueOf(server.getSmtp().getPort()));
        if (login) {
            settings.put("mail.smtp.username", LOGIN);
            settings.put("mail.smtp.password", password);
        }
    }
}
