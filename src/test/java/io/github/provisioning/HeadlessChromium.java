package io.github.provisioning;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own WebSocket client: one
 * page, its network requests recorded, real mouse clicks and key input, screenshots. No driver binary and no
 * library whose protocol version must match the browser's (docs/development.md says why).
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> BINARIES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> requestedUrls = new CopyOnWriteArrayList<>();

    /** The Chromium binary on the PATH ({@code CHROMIUM} names another), if any. */
    static Optional<Path> binary() {
        String named = System.getenv("CHROMIUM");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(java.io.File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .flatMap(dir -> BINARIES.stream().map(name -> Path.of(dir, name)))
                .filter(Files::isExecutable).findFirst();
    }

    /** Starts Chromium with a fresh profile in {@code profile} and connects to its blank page. */
    static HeadlessChromium start(Path binary, Path profile, int width, int height) throws Exception {
        Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--window-size=" + width + "," + height,
                "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            return new HeadlessChromium(process, profile);
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile) throws Exception {
        this.process = process;
        // Chromium writes the port it chose, and the browser's path, once it listens.
        Path activePort = profile.resolve("DevToolsActivePort");
        await("Chromium's DevToolsActivePort in " + profile).atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> !process.isAlive()
                        || Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2);
        if (!process.isAlive()) {
            throw new IllegalStateException("Chromium exited with " + process.exitValue() + ": "
                    + Files.readString(profile.resolve("chromium.log")));
        }
        int port = Integer.parseInt(Files.readAllLines(activePort).get(0).strip());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString())
                .body());
        String pageSocket = null;
        for (JsonNode target : targets) {
            if (target.path("type").asText().equals("page")) {
                pageSocket = target.path("webSocketDebuggerUrl").asText();
                break;
            }
        }
        if (pageSocket == null) {
            throw new IllegalStateException("Chromium has no page to drive: " + targets);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener())
                .get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        send("Page.enable", JSON.createObjectNode());
        send("Runtime.enable", JSON.createObjectNode());
        send("Network.enable", JSON.createObjectNode());
        send("Network.setCacheDisabled", JSON.createObjectNode().put("cacheDisabled", true));
    }

    /** Every URL the page asked for since it was started: documents, scripts, styles, fetches, icons. */
    List<String> requestedUrls() {
        return List.copyOf(requestedUrls);
    }

    void navigate(String url) {
        send("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** The value of a JavaScript expression in the page (a promise is awaited); null for undefined. */
    JsonNode evaluate(String expression) {
        JsonNode reply = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (reply.has("exceptionDetails")) {
            throw new IllegalStateException("The page threw on " + expression + ": " + reply.path("exceptionDetails"));
        }
        return reply.path("result").path("value");
    }

    /** The text a person sees in the element with this id ("" when it is missing or hidden). */
    String text(String id) {
        return evaluate("(() => { const e = document.getElementById(" + quoted(id) + ");"
                + " return e && e.offsetParent !== null ? e.innerText : ''; })()").asText();
    }

    boolean visible(String id) {
        return evaluate("(() => { const e = document.getElementById(" + quoted(id) + ");"
                + " return !!e && e.offsetParent !== null; })()").asBoolean();
    }

    /** A left click with the mouse in the middle of the element, as a person's: it must be visible and enabled. */
    void click(String id) {
        JsonNode box = evaluate("(() => { const e = document.getElementById(" + quoted(id) + ");"
                + " if (!e || e.offsetParent === null || e.disabled) return null;"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
        if (box == null || box.isNull() || box.isMissingNode()) {
            throw new AssertionError("#" + id + " is not there to click (missing, hidden or disabled)");
        }
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            ObjectNode event = JSON.createObjectNode().put("type", type).put("x", box.path("x").asDouble())
                    .put("y", box.path("y").asDouble());
            if (!type.equals("mouseMoved")) {
                event.put("button", "left").put("clickCount", 1);
            }
            send("Input.dispatchMouseEvent", event);
        }
    }

    /** Clicks into the field and types the text, as the keyboard would. */
    void type(String id, String text) {
        click(id);
        send("Input.insertText", JSON.createObjectNode().put("text", text));
    }

    void screenshot(Path file) throws IOException {
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
                .put("captureBeyondViewport", true));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    private JsonNode send(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode command = JSON.createObjectNode().put("id", id).put("method", method);
        command.set("params", params);
        try {
            socket.sendText(command.toString(), true).get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            JsonNode reply = answer.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException("Chromium refused " + method + ": " + reply.path("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Chromium did not answer " + method + ": " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    private static String quoted(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }

    /** Answers complete the pending commands; of the events, the requests the page sends are kept. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                handle(message.toString());
                message.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(String text) {
            JsonNode json;
            try {
                json = JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (json.has("id")) {
                CompletableFuture<JsonNode> answer = pending.get(json.path("id").asInt());
                if (answer != null) {
                    answer.complete(json);
                }
            } else if (json.path("method").asText().equals("Network.requestWillBeSent")) {
                requestedUrls.add(json.path("params").path("request").path("url").asText());
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.abort();
        } finally {
            // Chromium's renderers and helpers are its children: end them with it.
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
