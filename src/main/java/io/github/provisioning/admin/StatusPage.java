package io.github.provisioning.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultHeaderFilterStrategy;

/**
 * The status page on the admin port, a static page over the admin API: three files from {@code admin-page/} on the
 * classpath, read once when this bean is made. They are the only paths of the admin server that answer without the
 * token ({@link AdminAccess}), so that the page can ask for it; they hold no data, only the code that fetches it.
 */
public final class StatusPage {

    /** The page's paths and the file each serves. */
    static final Map<String, String> FILES = Map.of("/", "index.html", "/page.css", "page.css", "/page.js", "page.js");
    /** Paths that load without the admin token: exactly the page's own files. */
    static final Set<String> OPEN_PATHS = FILES.keySet();

    /**
     * Everything from this origin, nothing from elsewhere: no inline script or style, and the page may not be framed
     * (an admin's clicks on Approve must be the admin's own).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private record File(byte[] content, String contentType) {
    }

    private final Map<String, File> files = new LinkedHashMap<>();

    public StatusPage() {
        for (String name : FILES.values()) {
            files.put(name, new File(read("admin-page/" + name), contentType(name)));
        }
    }

    /** Answers one file of the page; {@code file} is a name the route sets, never the caller's path. */
    public void serve(@Header("pageFile") String file, Message message) {
        File page = files.get(file);
        if (page == null) {
            throw new IllegalArgumentException("The status page has no file " + file);
        }
        message.getHeaders().clear();
        message.setHeader("CamelHttpResponseCode", 200);
        message.setHeader("Content-Type", page.contentType());
        message.setHeader("Cache-Control", "no-cache");
        message.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Referrer-Policy", "no-referrer");
        message.setBody(page.content());
    }

    /**
     * The HTTP headers the page's routes answer with: {@link #serve} leaves only its own and Camel's, and this drops
     * Camel's, both ways. Unlike the default HTTP filter it lets Cache-Control go out, so that a browser asks again for
     * a page an upgrade changed.
     */
    public static HeaderFilterStrategy responseHeaders() {
        DefaultHeaderFilterStrategy filter = new DefaultHeaderFilterStrategy();
        filter.setLowerCase(true);
        filter.setOutFilterStartsWith(DefaultHeaderFilterStrategy.CAMEL_FILTER_STARTS_WITH);
        filter.setInFilterStartsWith(DefaultHeaderFilterStrategy.CAMEL_FILTER_STARTS_WITH);
        return filter;
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/javascript; charset=utf-8";
    }

    private static byte[] read(String resource) {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The status page's " + resource + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the status page's " + resource, e);
        }
    }
}
