package io.github.provisioning.state;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The provisioning job a store reads and writes the state of: every table of the state store has a {@code job_id},
 * and every statement of a store names its job. Today's single-job settings run as the job {@link #DEFAULT}, which
 * the migration to version 11 gave the rows stored before jobs existed.
 *
 * @param value the job's name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it will
 *              name a folder and a path of the admin API)
 */
public record JobId(String value) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The job of today's single-job settings, and of every row stored before jobs existed. */
    public static final JobId DEFAULT = new JobId("default");

    public JobId {
        Objects.requireNonNull(value, "job id");
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("Invalid job id '" + value + "': use 1 to 64 letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit");
        }
    }

    /**
     * The name of one of this job's routes, endpoints or beans: {@code <job>.<name>} ({@code hr.run-cycle},
     * {@code direct:hr.run-cycle}, the bean {@code hr.cycles}), as the route templates write {@code {{job}}.<name>}.
     */
    public String part(String name) {
        return value + "." + name;
    }

    @Override
    public String toString() {
        return value;
    }
}
