package io.github.provisioning.cycle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.state.GroupCommit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's per-operation provisioning log: one JSON object per line in {@code {data-dir}/provisioning-log.jsonl},
 * each naming the job in {@code jobId}. A line that would take the file past its maximum size first rotates it
 * ({@link LogFiles#nextRotated()}), so a line is always whole in one file; after a restart the current file is
 * continued.
 */
public final class ProvisioningLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningLog.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final String job;
    private final LogFiles files;
    private final Path file;
    private final long maxSize;
    /** The current file's writer and size; guarded by {@link #lock}, replaced on each rotation. */
    private final Object lock = new Object();
    private BufferedWriter writer;
    private long size;
    private final List<Consumer<LogEntry>> observers = new CopyOnWriteArrayList<>();
    /**
     * Lines written concurrently share one flush, and each is in the file when its write returns. A failed flush
     * fails every line of its batch: writing them again one by one could repeat what the buffer already wrote.
     */
    private final GroupCommit<String> lines = new GroupCommit<>(this::append, false);

    /**
     * @param job     the job's id, the {@code jobId} of every line
     * @param maxSize the bytes after which the file is rotated ({@code provisioning.log.max-size})
     */
    public ProvisioningLog(String job, LogFiles files, long maxSize) {
        this.job = job;
        this.files = files;
        this.file = files.current();
        this.maxSize = maxSize;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the provisioning log " + file, e);
        }
    }

    private void open() throws IOException {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    /**
     * Also hands every line but a dry run's to {@code observer} once written (metrics, the cycle digest); it must not
     * throw.
     */
    public void observe(Consumer<LogEntry> observer) {
        observers.add(observer);
    }

    public void write(LogEntry entry) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", entry.time().toString());
        line.put("jobId", job);
        line.put("cycleId", entry.cycleId());
        line.put("changeId", entry.changeId());
        line.put("objectType", entry.objectType());
        line.put("action", entry.action());
        line.put("status", entry.status());
        line.put("sourceId", entry.sourceId());
        line.put("sourceIdentity", entry.sourceIdentity());
        line.put("targetId", entry.targetId());
        if (entry.dryRun()) {
            line.put("dryRun", true);
        }
        if (entry.reason() != null) {
            line.put("reason", entry.reason());
        }
        line.set("modifiedProperties", JSON.valueToTree(entry.modifiedProperties()));
        if (entry.error() != null) {
            ObjectNode error = line.putObject("error");
            error.put("code", entry.error().code());
            error.put("reason", entry.error().reason());
        } else {
            line.putNull("error");
        }
        if (entry.escrow() != null) {
            ObjectNode escrow = line.putObject("escrow");
            escrow.put("attempt", entry.escrow().attempts());
            escrow.put("nextRetry", entry.escrow().nextRetry() == null ? null : entry.escrow().nextRetry().toString());
            escrow.put("permanent", entry.escrow().permanent());
        }
        line.put("durationMs", entry.durationMs());
        ArrayNode retries = line.putArray("retries");
        for (LogEntry.Retry r : entry.retries()) {
            ObjectNode retry = retries.addObject();
            retry.put("request", r.request());
            retry.put("attempt", r.attempt());
            retry.put("status", r.status());
            retry.put("reason", r.reason());
            retry.put("delayMs", r.delayMs());
        }
        // Group commit: lines written concurrently share one flush, and each is flushed when its writer returns.
        lines.submit(line.toString());
        // A dry run's lines are plans: they count in no metric and in no cycle digest.
        if (!entry.dryRun()) {
            observers.forEach(observer -> observer.accept(entry));
        }
    }

    private void append(List<String> batch) {
        synchronized (lock) {
            try {
                for (String text : batch) {
                    long bytes = text.getBytes(StandardCharsets.UTF_8).length + 1L;
                    if (size > 0 && size + bytes > maxSize) {
                        rotate();
                    }
                    writer.write(text);
                    writer.write('\n');
                    size += bytes;
                }
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the provisioning log " + file, e);
            }
        }
    }

    /**
     * Closes the current file (flushing what the batch wrote so far), renames it and starts an empty one. A rename
     * that fails keeps the lines in the current file, which is tried again after another maxSize.
     */
    private void rotate() throws IOException {
        writer.close();
        try {
            Files.move(file, files.nextRotated());
        } catch (IOException e) {
            LOG.warn("Cannot rotate the provisioning log {}; it grows on: {}", file, e.toString());
        }
        open();
        size = 0;
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            writer.close();
        }
    }
}
