package io.github.provisioning.sandbox.graph;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The query options of a request, decoded; names match without regard to case ($deltaToken = $deltatoken). */
record ODataQuery(Map<String, String> options) {

    static ODataQuery parse(String rawQuery) {
        Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                options.putIfAbsent(name, value);
            }
        }
        return new ODataQuery(options);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(options.get(name));
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            throw GraphError.badRequest("Invalid query string.");
        }
    }
}
