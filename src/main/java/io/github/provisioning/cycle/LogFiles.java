package io.github.provisioning.cycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning log's files in the data directory: the current {@code provisioning-log.jsonl}, the rotated
 * {@code provisioning-log-<UTC time>.jsonl} (their names sort by age), and the retention that removes rotated files
 * and cycle reports ({@code cycles/*.json}) older than {@code provisioning.log.retention-days}.
 */
public final class LogFiles {

    public static final String MAX_SIZE = "provisioning.log.max-size";
    public static final String RETENTION_DAYS = "provisioning.log.retention-days";

    private static final Logger LOG = LoggerFactory.getLogger(LogFiles.class);
    private static final String CURRENT = "provisioning-log.jsonl";
    private static final String ROTATED_PREFIX = "provisioning-log-";
    private static final String ROTATED_SUFFIX = ".jsonl";
    /** Microseconds, so that rotations close together still get names of their own, in order. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    private final Path dataDir;
    private final Duration retention;
    private final Clock clock;
    /** The newest rotated file's time, so that the next one sorts after it; guarded by this. */
    private Instant lastRotation;

    public LogFiles(Path dataDir, Duration retention, Clock clock) {
        this.dataDir = dataDir;
        this.retention = retention;
        this.clock = clock;
    }

    /** The file lines are written to now. */
    public Path current() {
        return dataDir.resolve(CURRENT);
    }

    /**
     * The name the current file gets when it is rotated now: the time of the rotation, later than every rotated
     * file's (also after a restart, or when the clock went back).
     */
    synchronized Path nextRotated() {
        if (lastRotation == null) {
            lastRotation = rotated().stream().map(LogFiles::rotationTime).max(Comparator.naturalOrder())
                    .orElse(Instant.EPOCH);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        lastRotation = now.isAfter(lastRotation) ? now : lastRotation.plus(1, ChronoUnit.MICROS);
        return dataDir.resolve(ROTATED_PREFIX + STAMP.format(lastRotation) + ROTATED_SUFFIX);
    }

    /**
     * The current file, then the rotated files within retention, newest first: the order {@code /api/logs} reads
     * them in. Listed before any is read: a rotation meanwhile can hide its lines from that one answer, never
     * show them twice.
     */
    public List<Path> newestFirst() {
        List<Path> files = new ArrayList<>();
        files.add(current());
        rotated().stream().filter(file -> !expired(file))
                .sorted(Comparator.comparing((Path file) -> file.getFileName().toString()).reversed())
                .forEach(files::add);
        return files;
    }

    /** Removes the rotated files and cycle reports older than the retention (never the current file). */
    public void prune() {
        List<Path> candidates = new ArrayList<>(rotated());
        candidates.addAll(list(dataDir.resolve("cycles"), "*.json"));
        int removed = 0;
        for (Path file : candidates) {
            try {
                if (expired(file) && Files.deleteIfExists(file)) {
                    removed++;
                }
            } catch (IOException e) {
                LOG.warn("Cannot remove {}, older than {}={}: {}", file, RETENTION_DAYS, retention.toDays(),
                        e.toString());
            }
        }
        if (removed > 0) {
            LOG.info("Removed {} provisioning-log files and cycle reports older than {} days", removed,
                    retention.toDays());
        }
    }

    private boolean expired(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            return modified.toInstant().isBefore(clock.instant().minus(retention));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the time of " + file, e);
        }
    }

    private List<Path> rotated() {
        return list(dataDir, ROTATED_PREFIX + "*" + ROTATED_SUFFIX).stream()
                .filter(file -> rotationTime(file) != null).toList();
    }

    private static List<Path> list(Path dir, String glob) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
        return files;
    }

    /** The time in a rotated file's name; null for a file of another name. */
    private static Instant rotationTime(Path file) {
        String name = file.getFileName().toString();
        try {
            return Instant.from(STAMP.parse(name.substring(ROTATED_PREFIX.length(),
                    name.length() - ROTATED_SUFFIX.length())));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code provisioning.log.max-size}: bytes, or KB, MB, GB (1024 each); named in the error when malformed. */
    public static long maxSize(String value) {
        Matcher matcher = SIZE.matcher(value.trim());
        long size = 0;
        if (matcher.matches()) {
            String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
            int shift = switch (unit) {
                case "KB" -> 10;
                case "MB" -> 20;
                case "GB" -> 30;
                default -> 0;
            };
            size = Long.parseLong(matcher.group(1)) << shift;
        }
        if (size <= 0) {
            throw new IllegalArgumentException("Setting " + MAX_SIZE + " must be a positive size in bytes, KB, MB or"
                    + " GB (e.g. 10KB, 100MB, 1GB), not '" + value + "'");
        }
        return size;
    }

    /** {@code provisioning.log.retention-days}: a whole number of days, at least 1. */
    public static Duration retention(String value) {
        long days;
        try {
            days = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            days = 0;
        }
        if (days < 1 || days > 36_500) {
            throw new IllegalArgumentException("Setting " + RETENTION_DAYS + " must be a whole number of days from 1"
                    + " to 36500, not '" + value + "'");
        }
        return Duration.ofDays(days);
    }
}
