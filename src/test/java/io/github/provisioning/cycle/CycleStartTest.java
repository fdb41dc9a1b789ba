package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.provisioning.cluster.LeaseLostException;
import io.github.provisioning.state.Stores;
import io.github.provisioning.state.TestDatabase;
import io.github.provisioning.state.TestStores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A cycle whose start cannot be stored does not start, and leaves the job free for the next one. */
class CycleStartTest {

    @RegisterExtension
    final TestStores stores = new TestStores();

    @TempDir
    Path dataDir;

    @Test
    void aCycleWhoseStartCannotBeStoredLeavesNoCycleRunning() {
        Stores state = stores.state(TestDatabase.Kind.H2);
        AtomicBoolean refused = new AtomicBoolean(true);
        state.database().fenceWrites(() -> {
            if (refused.get()) {
                throw new LeaseLostException("no write now");
            }
        });
        Cycles cycles = new Cycles(state.database(), state.links(), state.scope(), state.appRoles(), state.jobState(),
                dataDir, "http://127.0.0.1:1/v1.0", null, false, "id", "fp", new RunOutcome(), Clock.systemUTC());

        assertThatThrownBy(cycles::begin).isInstanceOf(LeaseLostException.class);
        assertThat(cycles.idle()).as("no cycle runs after a start that failed").isTrue();
        assertThat(cycles.current()).isEmpty();

        refused.set(false);
        CycleRun next = cycles.begin();
        assertThat(cycles.current()).contains(next);
    }
}
