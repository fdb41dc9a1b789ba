package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/cycles}: the reports of the last cycles, {@code {data-dir}/cycles/<id>.json}, newest first. The
 * folder may hold thousands: the files are ordered by their time (a report is written once, when its cycle ends)
 * and only the newest {@code limit} are read.
 */
public final class CycleHistory {

    private static final Logger LOG = LoggerFactory.getLogger(CycleHistory.class);

    static final int DEFAULT_LIMIT = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;

    public CycleHistory(Path folder) {
        this.folder = folder;
    }

    public ApiReply list(@Header("limit") String limit) {
        int listed = ListLimit.parse(limit, DEFAULT_LIMIT);
        if (listed < 0) {
            return ListLimit.invalid();
        }
        List<Report> newest = newest(listed + 1);
        // Files written within the file system's clock tick share a time: the reports' own end orders those.
        List<JsonNode> cycles = newest.stream().limit(listed).map(Report::read).filter(r -> r != null)
                .sorted(Comparator.comparing(Read::end).reversed()).map(Read::report).toList();
        return new ApiReply(200, new CycleReports(cycles, cycles.size(), listed, newest.size() > listed));
    }

    /** The reports as their files have them, newest first; how many, the limit, and whether there are more. */
    public record CycleReports(List<JsonNode> cycles, int count, int limit, boolean more) {
    }

    /** A report file and its time; a report being written is a hidden .partial file, left out. */
    private record Report(Path file, FileTime time) {

        Read read() {
            try {
                JsonNode report = JSON.readTree(file.toFile());
                return report.isObject() ? new Read(report, end(report, time.toInstant())) : null;
            } catch (NoSuchFileException e) {
                return null; // pruned meanwhile
            } catch (IOException e) {
                LOG.warn("Cycle report {} left out of /api/cycles: {}", file, e.getMessage());
                return null;
            }
        }

        private static Instant end(JsonNode report, Instant written) {
            try {
                return Instant.parse(report.path("end").asText());
            } catch (DateTimeParseException e) {
                return written;
            }
        }
    }

    private record Read(JsonNode report, Instant end) {
    }

    private List<Report> newest(int count) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".json") && !name.startsWith(".");
            }).map(CycleHistory::timed).filter(r -> r != null)
                    .sorted(Comparator.comparing(Report::time).reversed()
                            .thenComparing(r -> r.file().getFileName().toString()))
                    .limit(count).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the cycle reports in " + folder, e);
        }
    }

    private static Report timed(Path file) {
        try {
            return new Report(file, Files.getLastModifiedTime(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the time of " + file, e);
        }
    }
}
