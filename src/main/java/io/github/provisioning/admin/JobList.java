package io.github.provisioning.admin;

import io.github.provisioning.state.JobId;
import java.util.List;
import java.util.function.Function;

/** {@code GET /api/jobs}: the engine's jobs, each with its status as {@code /api/jobs/{job}/status} gives it. */
public final class JobList {

    private final List<JobId> jobs;
    private final Function<JobId, JobControl> controls;

    /** @param controls each job's controls, looked up when asked (they are built on first use) */
    public JobList(List<JobId> jobs, Function<JobId, JobControl> controls) {
        this.jobs = List.copyOf(jobs);
        this.controls = controls;
    }

    /** The engine's jobs, {@code default} first, then by name. */
    public List<JobId> jobs() {
        return jobs;
    }

    public ApiReply list() {
        return new ApiReply(200, new Jobs(jobs.stream()
                .map(job -> new Job(job.value(), (JobControl.JobStatus) controls.apply(job).status().body()))
                .toList()));
    }

    /** The reply: every job, the job {@code default} first when it runs. */
    public record Jobs(List<Job> jobs) {
    }

    /** One job: its id and its status. */
    public record Job(String job, JobControl.JobStatus status) {
    }

    /** 404 for a job this engine does not run. */
    static ApiReply noSuchJob(String job) {
        return ApiErrors.error(404, "This engine runs no job '" + job + "': GET /api/jobs lists its jobs");
    }
}
