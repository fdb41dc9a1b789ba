package io.github.provisioning.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The job's quarantine as stored: there is none while the job is healthy.
 *
 * @param reason      why: {@code credentials}, {@code failure-rate} or {@code failure-count}
 * @param detail      the cause in one line (the failed cycle's error, or the failure figures); never a secret
 * @param since       when the job entered quarantine; a change of reason keeps it
 * @param retries     cycles run in quarantine since it was entered
 * @param nextAttempt the earliest time the schedule runs the next cycle
 * @param stopped     the job was stopped after {@code provisioning.quarantine-max-days} in quarantine
 */
public record QuarantineState(String reason, String detail, Instant since, int retries, Instant nextAttempt,
                              boolean stopped) {

    public QuarantineState {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
    }
}
