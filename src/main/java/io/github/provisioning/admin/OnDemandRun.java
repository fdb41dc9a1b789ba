package io.github.provisioning.admin;

import io.github.provisioning.cycle.CycleRun;
import io.github.provisioning.graph.SourceChange;

/**
 * One provision-on-demand request's progress through its route (a user's or a group's): the id asked for, the run
 * it is logged under (null when refused), the refusal, what Graph answered for the object, and the failure on the
 * way. The routes read {@code proceed}, {@code id}, {@code cycle} and {@code found}.
 */
public abstract class OnDemandRun {

    final String id;
    final CycleRun cycle;
    ApiReply refusal;
    SourceChange change;
    String failure;

    OnDemandRun(String id, CycleRun cycle, ApiReply refusal) {
        this.id = id;
        this.cycle = cycle;
        this.refusal = refusal;
    }

    public boolean isProceed() {
        return refusal == null;
    }

    public String getId() {
        return id;
    }

    public CycleRun getCycle() {
        return cycle;
    }

    /** Graph knows the object: it goes through provisioning. */
    public boolean isFound() {
        return change != null && change.kind() == SourceChange.Kind.PRESENT;
    }

    /** An exception on the way: Graph unreachable, or the target rejected the credentials. */
    void failed(Exception e) {
        failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
