package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.sandbox.scim.RecordedRequest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The SCIM requests of one phase, streamed to a JSON-lines file as the target answers them (so 100,000 bodies never
 * sit in memory), with the counts the benchmark reports. Each line: {@code m} method, {@code p} path, {@code q}
 * decoded query, {@code ct} content type, {@code b} body, {@code s} status, {@code id} the id a 201 assigned,
 * {@code f} the injected fault (a 429 of the rate limit), {@code t} arrival.
 */
final class RequestRecording implements Consumer<RecordedRequest>, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the target saw in one phase. */
    record Stats(long requests, long writes, long throttled, Instant first, Instant last) {

        /** Arrival of the first to arrival of the last request; zero for fewer than two. */
        double spanSeconds() {
            return first == null ? 0 : Duration.between(first, last).toNanos() / 1e9;
        }
    }

    private final Writer out;
    private long requests;
    private long writes;
    private long throttled;
    private Instant first;
    private Instant last;

    private RequestRecording(Writer out) {
        this.out = out;
    }

    static RequestRecording to(Path file) throws IOException {
        return new RequestRecording(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                1 << 16));
    }

    @Override
    public synchronized void accept(RecordedRequest r) {
        requests++;
        if (r.fault() != null) {
            throttled++;
        } else if (!r.method().equals("GET")) {
            writes++;
        }
        first = first == null || r.time().isBefore(first) ? r.time() : first;
        last = last == null || r.time().isAfter(last) ? r.time() : last;
        ObjectNode line = JSON.createObjectNode()
                .put("t", r.time().toString())
                .put("m", r.method())
                .put("p", r.path())
                .put("q", r.query())
                .put("ct", r.header("content-type"))
                .put("b", r.body())
                .put("s", r.status())
                .put("f", r.fault() == null ? null : r.fault().name());
        if (r.status() == 201 && r.responseBody() != null) {
            JsonNode id = r.responseJson().get("id");
            line.put("id", id == null ? null : id.asText());
        }
        try {
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized Stats stats() {
        return new Stats(requests, writes, throttled, first, last);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
