package io.github.provisioning;

import io.github.provisioning.state.JobId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One provisioning job of the engine, as {@link JobDefinitions} read it: its name, where it was defined, and its
 * checked settings (its own values, then the engine's for the settings a job inherits).
 *
 * @param id       the job's name
 * @param origin   where the job was defined, for messages: "the application settings", a job
 *                 file's path, or {@code provisioning.jobs.<name>.*}
 * @param settings the job's settings, validated
 */
public record JobDefinition(JobId id, String origin, Settings settings) {

    public JobDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(settings, "settings");
    }

    /** Whether this is the job of today's single-job settings, whose files stay where they always were. */
    public boolean isDefault() {
        return id.equals(JobId.DEFAULT);
    }

    /**
     * Where this job keeps its cycle reports, provisioning log and embedded state: {@code dataDir} itself for the
     * {@code default} job (the paths of a single-job engine), {@code {dataDir}/jobs/<job>} for any other.
     */
    public Path workDir(Path dataDir) {
        return isDefault() ? dataDir : dataDir.resolve("jobs").resolve(id.value());
    }
}
