package io.github.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The practical limit: sends the SCIM requests the engine sent (from a {@link RequestRecording} file: same
 * methods, paths, bodies, content types) to a target with the same starting state, from {@code concurrency}
 * threads, with nothing else: no mapping, state, Camel or retries. Ids the recorded target assigned are rewritten
 * to the ones this target assigns (from {@code --ids-in} and from its own 201s), so a later phase's
 * {@code PATCH /Users/{id}} reaches the same account.
 *
 * <pre>
 * java -cp provisioning.jar io.github.provisioning.bench.BareClient --requests FILE --url SCIM_URL --token T
 *      --concurrency 8 [--ids-in FILE] [--ids-out FILE]
 * </pre>
 * The last line: {@code requests=<n> seconds=<s> rps=<r> unexpected=<n> cpu_s=<c>} (unexpected: a status class
 * other than the recorded one; cpu_s: this JVM's CPU time while it sent, loading the recording left out).
 */
public final class BareClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Replayed(String method, String path, String query, String contentType, String body, int status,
                            String recordedId) {
    }

    private BareClient() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        List<Replayed> requests = load(Path.of(a.get("--requests")));
        Map<String, String> ids = new ConcurrentHashMap<>();
        if (a.containsKey("--ids-in")) {
            try (Stream<String> lines = Files.lines(Path.of(a.get("--ids-in")))) {
                lines.map(l -> l.split(" ")).forEach(p -> ids.put(p[0], p[1]));
            }
        }
        String url = a.get("--url");
        String token = a.get("--token");
        int concurrency = Integer.parseInt(a.getOrDefault("--concurrency", "8"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong unexpected = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                    Replayed r = requests.get(i);
                    int status = send(http, url, token, r, ids);
                    if (status / 100 != r.status() / 100) {
                        unexpected.incrementAndGet();
                    }
                }
            }, "bare-client-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        if (a.containsKey("--ids-out")) {
            List<String> lines = new ArrayList<>();
            ids.forEach((from, to) -> lines.add(from + " " + to));
            Files.write(Path.of(a.get("--ids-out")), lines);
        }
        System.out.printf(java.util.Locale.ROOT, "requests=%d seconds=%.3f rps=%.1f unexpected=%d cpu_s=%.3f%n",
                requests.size(), seconds, requests.size() / seconds, unexpected.get(), cpuSeconds);
    }

    /** The requests the target handled (its own 429s left out), in the order it answered them. */
    private static List<Replayed> load(Path file) throws IOException {
        List<Replayed> requests = new ArrayList<>();
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(line -> {
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n.path("f").isNull() || n.path("f").isMissingNode()) {
                        requests.add(new Replayed(n.get("m").asText(), n.get("p").asText(), text(n, "q"),
                                text(n, "ct"), text(n, "b"), n.get("s").asInt(), text(n, "id")));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return requests;
    }

    private static int send(HttpClient http, String url, String token, Replayed r, Map<String, String> ids) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path(r.path(), ids) + query(r.query())))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/scim+json")
                .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(r.body()));
        if (r.contentType() != null) {
            request.header("Content-Type", r.contentType());
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 201 && r.recordedId() != null) {
                ids.put(r.recordedId(), JSON.readTree(response.body()).get("id").asText());
            }
            return response.statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** {@code /Users/{recorded id}} becomes {@code /Users/{this target's id}}. */
    private static String path(String path, Map<String, String> ids) {
        int slash = path.lastIndexOf('/');
        String mapped = slash > 0 ? ids.get(path.substring(slash + 1)) : null;
        return mapped == null ? path : path.substring(0, slash + 1) + mapped;
    }

    /** The recording holds the decoded query; parameters are {@code name=value} joined by {@code &}. */
    private static String query(String decoded) {
        if (decoded == null) {
            return "";
        }
        StringBuilder q = new StringBuilder("?");
        for (String pair : decoded.split("&(?=[A-Za-z]+=)")) {
            int eq = pair.indexOf('=');
            if (q.length() > 1) {
                q.append('&');
            }
            q.append(eq < 0 ? URLEncoder.encode(pair, StandardCharsets.UTF_8)
                    : pair.substring(0, eq + 1) + URLEncoder.encode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
