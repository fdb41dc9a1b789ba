package io.github.provisioning;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import org.apache.camel.Service;

/**
 * The sandbox (a Graph simulator and a SCIM target on loopback) as the engine sees it. The engine finds it through
 * {@link ServiceLoader}, so that the route bundle loads and runs without it; the sandbox jar (classifier
 * {@code sandbox}, also inside the all-in-one provisioning.jar) provides the one implementation.
 */
public interface SandboxProvider {

    /**
     * Starts both servers with a sample tenant of {@code users} users (the same {@code seed}, the same tenant);
     * the sandbox's state goes under {@code dataDir}.
     */
    RunningSandbox start(int users, long seed, Path dataDir);

    /** A started sandbox: bound as the {@code sandbox} bean the demo route calls, stopped with Camel. */
    interface RunningSandbox extends Service {

        /** The settings that point the engine at it: Graph, the SCIM target, {@code provisioning.work-dir}. */
        Properties settings();
    }

    /** The sandbox on the class path of {@code loader}, if there is one. */
    static Optional<SandboxProvider> find(ClassLoader loader) {
        return ServiceLoader.load(SandboxProvider.class, loader).findFirst();
    }
}
