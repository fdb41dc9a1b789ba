package io.github.provisioning.sandbox.scim;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Tests that share one SCIM sandbox with default settings per test class, reached over HTTP. The sandbox is
 * emptied before each test, so no test sees another's resources or requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SharedSandboxTest {

    ScimSandbox sandbox;
    ScimClient scim;

    @BeforeAll
    void startSandbox() {
        sandbox = ScimSandbox.start(ScimSandboxConfig.defaults());
        scim = ScimClient.to(sandbox);
    }

    @AfterAll
    void closeSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void emptySandbox() {
        sandbox.reset();
    }
}
