package io.github.provisioning.cycle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The per-operation provisioning log: one JSON object per line in {@code {data-dir}/provisioning-log.jsonl}. */
public final class ProvisioningLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final Path file;
    private final BufferedWriter writer;
    private final List<Consumer<LogEntry>> observers = new CopyOnWriteArrayList<>();
    /** Writers that have a line and want the lock, or hold it. */
    private final AtomicInteger waiting = new AtomicInteger();

    public ProvisioningLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the provisioning log " + file, e);
        }
    }

    /** Also hands every line to {@code observer} once written (metrics, the cycle digest); it must not throw. */
    public void observe(Consumer<LogEntry> observer) {
        observers.add(observer);
    }

    public void write(LogEntry entry) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", entry.time().toString());
        line.put("cycleId", entry.cycleId());
        line.put("changeId", entry.changeId());
        line.put("objectType", entry.objectType());
        line.put("action", entry.action());
        line.put("status", entry.status());
        line.put("sourceId", entry.sourceId());
        line.put("sourceIdentity", entry.sourceIdentity());
        line.put("targetId", entry.targetId());
        if (entry.reason() != null) {
            line.put("reason", entry.reason());
        }
        putModifiedProperties(line, entry.modifiedProperties());
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
        String text = line.toString();
        // Group commit: a writer flushes only when no other is waiting for the lock, so concurrent lines share
        // one flush (and the lock is not held across a write to the file per line); a lone writer still flushes
        // each line, and no line is left unflushed once its writer has returned and no other is running.
        waiting.incrementAndGet();
        synchronized (writer) {
            try {
                try {
                    writer.write(text);
                    writer.newLine();
                } finally {
                    if (waiting.decrementAndGet() == 0) {
                        writer.flush();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the provisioning log " + file, e);
            }
        }
        observers.forEach(observer -> observer.accept(entry));
    }

    /** Writes {@code modifiedProperties: [{name, old, new}]} as the log line has it (the admin API shows it too). */
    public static void putModifiedProperties(ObjectNode target, List<LogEntry.ModifiedProperty> properties) {
        ArrayNode modified = target.putArray("modifiedProperties");
        for (LogEntry.ModifiedProperty p : properties) {
            ObjectNode property = modified.addObject();
            property.put("name", p.name());
            property.set("old", JSON.valueToTree(p.old()));
            property.set("new", JSON.valueToTree(p.value()));
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (writer) {
            writer.close();
        }
    }
}
