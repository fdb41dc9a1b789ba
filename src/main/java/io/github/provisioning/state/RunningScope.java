package io.github.provisioning.state;

import java.util.List;

/** The generations a cycle reads the scope with, and the ids it read, until it is recorded in the store. */
final class RunningScope {
    final long completed;
    final long running;
    final ScopeIds users = new ScopeIds();
    final ScopeIds groups = new ScopeIds();
    /** The cycle reading this scope, or null. */
    final String cycleId;
    /** The users of this scope that {@link #cycleId} saved: its saves' rows that are committed. */
    final ScopeIds saved = new ScopeIds();
    /** Written to the store; guarded by this. */
    boolean recorded;

    RunningScope(long completed, long running, String cycleId) {
        this.completed = completed;
        this.running = running;
        this.cycleId = cycleId;
    }

    ScopeIds ids(String scopeType) {
        return ObjectType.USER.equals(scopeType) ? users : groups;
    }

    /** Keeps, from a batch of committed saves, the users of this scope that its cycle saved. */
    void noteSaved(List<LinkWriter.Save> batch) {
        if (cycleId == null) {
            return;
        }
        for (LinkWriter.Save save : batch) {
            String id = save.link().sourceId();
            if (ObjectType.USER.equals(save.objectType()) && cycleId.equals(save.link().lastCycle())
                    && users.contains(id)) {
                saved.add(id);
            }
        }
    }
}
