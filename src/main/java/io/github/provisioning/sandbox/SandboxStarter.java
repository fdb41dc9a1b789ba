package io.github.provisioning.sandbox;

import io.github.provisioning.SandboxProvider;
import java.nio.file.Path;

/** How the engine starts the sandbox (listed in META-INF/services): it has no compile-time reference to it. */
public final class SandboxStarter implements SandboxProvider {

    @Override
    public RunningSandbox start(int users, long seed, Path dataDir) {
        return Sandbox.start(users, seed, dataDir);
    }
}
