package io.github.provisioning.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK the interop tests start Keycloak on comes from -Dkeycloak.java.home (or KEYCLOAK_JAVA_HOME), and one that
 * is not Java 21+ fails the run with a message naming the setting. Only -Dkeycloak.java.home is set here: the
 * property comes before the variable.
 */
class KeycloakJavaHomeTest {

    private final String before = System.getProperty("keycloak.java.home");

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("keycloak.java.home");
        } else {
            System.setProperty("keycloak.java.home", before);
        }
    }

    @Test
    void aJdk21OrNewerIsTaken(@TempDir Path jdk) throws Exception {
        fakeJdk(jdk, "\"25.0.3\"");
        System.setProperty("keycloak.java.home", jdk.toString());

        assertThat(KeycloakTarget.javaHome()).isEqualTo(jdk);
    }

    @Test
    void anOlderJdkFailsNamingTheSetting(@TempDir Path jdk) throws Exception {
        fakeJdk(jdk, "\"17.0.15\"");
        System.setProperty("keycloak.java.home", jdk.toString());

        assertThatThrownBy(KeycloakTarget::javaHome).isInstanceOf(IllegalStateException.class)
                .hasMessage("-Dkeycloak.java.home=" + jdk + " is Java 17: the Keycloak interop tests need a Java 21+ JDK");
    }

    @Test
    void aFolderThatIsNoJdkFailsNamingTheSetting(@TempDir Path folder) {
        System.setProperty("keycloak.java.home", folder.toString());

        assertThatThrownBy(KeycloakTarget::javaHome).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("-Dkeycloak.java.home=" + folder + " is not a JDK");
    }

    /** What javaHome() reads of a JDK: an executable bin/java and the release file. */
    private static void fakeJdk(Path home, String javaVersion) throws Exception {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        assertThat(home.resolve("bin/java").toFile().setExecutable(true)).isTrue();
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=" + javaVersion + "\n");
    }
}
