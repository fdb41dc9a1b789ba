package io.github.provisioning.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.cycle.LogFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.util.URISupport;
import org.apache.commons.io.input.ReversedLinesFileReader;

/**
 * {@code GET /api/logs}: lines of the provisioning log, newest first, filtered on cycle id, status, action and
 * source id. The current jsonl file, then the rotated ones within retention, newest first, are each read backwards
 * line by line and reading stops at the limit, so neither the log nor the tenant is ever held in memory.
 */
public final class ProvisioningLogQuery {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATUSES = Set.of("success", "failure", "skipped", "warning");
    private static final Set<String> ACTIONS = Set.of("create", "update", "disable", "delete", "other");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    /** Query parameter → the log line's field. */
    private static final Map<String, String> FILTERS = Map.of("cycle", "cycleId", "status", "status",
            "action", "action", "source-id", "sourceId");

    private final LogFiles files;

    public ProvisioningLogQuery(LogFiles files) {
        this.files = files;
    }

    public ApiReply query(@Header(Exchange.HTTP_QUERY) String query) {
        Map<String, Object> parameters;
        try {
            parameters = URISupport.parseQuery(query == null ? "" : query);
        } catch (URISyntaxException | RuntimeException e) {
            return ApiErrors.error(400, "The query string cannot be read: " + e.getMessage());
        }
        Map<String, String> filters = new LinkedHashMap<>();
        int limit = ListLimit.DEFAULT;
        for (Map.Entry<String, Object> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            if (!(parameter.getValue() instanceof String value)) {
                return ApiErrors.error(400, "Give " + name + " once");
            }
            String problem = switch (name) {
                case "limit" -> null;
                case "status" -> STATUSES.contains(value) ? null : "status must be one of " + List.copyOf(STATUSES);
                case "action" -> ACTIONS.contains(value) ? null : "action must be one of " + List.copyOf(ACTIONS);
                case "cycle", "source-id" -> ID.matcher(value).matches() ? null
                        : name + " must be an id (letters, digits and . _ @ -, at most 128 characters)";
                default -> "Unknown parameter " + name + "; the filters are cycle, status, action, source-id and limit";
            };
            if (problem != null) {
                return ApiErrors.error(400, problem);
            }
            if (name.equals("limit")) {
                limit = ListLimit.parse(value);
                if (limit < 0) {
                    return ListLimit.invalid();
                }
            } else {
                filters.put(FILTERS.get(name), value);
            }
        }
        List<JsonNode> entries = new ArrayList<>();
        boolean more = read(filters, limit, entries);
        return new ApiReply(200, new LogLines(entries, entries.size(), limit, more));
    }

    /** The log lines as the log has them, newest first; how many, the limit, and whether more match. */
    public record LogLines(List<JsonNode> entries, int count, int limit, boolean more) {
    }

    /** Fills entries newest first; true when more lines match beyond the limit. */
    private boolean read(Map<String, String> filters, int limit, List<JsonNode> entries) {
        for (Path file : files.newestFirst()) {
            if (read(file, filters, limit, entries)) {
                return true;
            }
        }
        return false;
    }

    /** One file, backwards; true when a line beyond the limit matches. A file not there (yet, or any more) is empty. */
    private static boolean read(Path file, Map<String, String> filters, int limit, List<JsonNode> entries) {
        try (ReversedLinesFileReader lines = ReversedLinesFileReader.builder().setPath(file)
                .setCharset(StandardCharsets.UTF_8).get()) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode entry = parse(line);
                if (entry == null || !matches(entry, filters)) {
                    continue;
                }
                if (entries.size() == limit) {
                    return true;
                }
                entries.add(entry);
            }
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the provisioning log " + file, e);
        }
    }

    private static boolean matches(JsonNode entry, Map<String, String> filters) {
        for (Map.Entry<String, String> filter : filters.entrySet()) {
            if (!filter.getValue().equals(entry.path(filter.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /** A line being written right now may be incomplete: it is left out. */
    private static JsonNode parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
