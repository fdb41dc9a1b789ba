package io.github.provisioning.sandbox.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK {@link HttpServer} bound to 127.0.0.1 that answers on its own pool of daemon threads, so a sandbox left
 * open never keeps the JVM alive. Bind first, learn the port, then {@link #start(HttpHandler)}.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final HttpServer server;
    private final ExecutorService executor;

    private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port). Nothing is answered until {@link #start(HttpHandler)}.
     *
     * @param threadName the pool's threads are named {@code threadName-1}, {@code threadName-2}...
     */
    public static LoopbackHttpServer bind(int port, int backlog, int threads, String threadName) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), port),
                backlog);
        AtomicInteger created = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, threadName + "-" + created.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        return new LoopbackHttpServer(server, executor);
    }

    /** The bound port; the real one when 0 was asked for. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** "http://127.0.0.1:PORT", without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Answers every path with {@code handler}. */
    public void start(HttpHandler handler) {
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
    }

    /** Stops at once, without waiting for exchanges in flight, and gives the threads five seconds to end. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
