package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.UserResources;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matching values the target already holds, read once at the start of an initial cycle by listing its users a
 * page at a time ({@code GET /Users?attributes=…&startIndex=…&count=…}, RFC 7644 section 3.4.2.4). An unlinked user
 * none of whose matching values the target holds is then created without a match query; a user whose value the
 * target may hold is matched with a query, as always. In an initial cycle against an empty or new target that halves
 * the requests. Incremental cycles, provision on demand and groups query as before ({@code scim.match-index}).
 *
 * <p>Never the tenant in memory: the index keeps a 64-bit fingerprint of each (attribute, lower-cased value), 8 bytes
 * an account, sorted. A fingerprint that collides, or a value that differs only in case, costs the query the index
 * would have saved, never a wrong create. An account someone else creates after the listing makes our create fail
 * with 409 (the target's uniqueness), which is followed by a match, as any 409 is. A target that cannot list, or
 * pages inconsistently, gets no index: every user is matched with a query.
 */
public final class MatchIndex {

    private static final Logger LOG = LoggerFactory.getLogger(MatchIndex.class);

    /** {@code scim.match-index}: in initial cycles, or never. */
    public enum Mode {
        INITIAL, OFF;

        public static Mode of(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Setting scim.match-index must be initial or off, not: " + value);
            }
        }
    }

    /** An index complete for one cycle. */
    private record Built(String cycleId, long[] fingerprints) {
    }

    private final Mode mode;
    private final List<String> paths;
    private final String attributesQuery;
    private final int pageSize;
    private final RetryPolicy retryPolicy;
    private volatile Built built;

    // The listing in progress; only the cycle's own route (one thread at a time) touches these.
    private String cycleId;
    private long[] fingerprints;
    private int size;
    private int startIndex;
    private int attempt;
    private long delayMillis;
    private String firstIdOfLastPage;

    /**
     * @param paths    the matching attributes' target paths, in the mapping's order
     * @param pageSize the {@code count} asked for per page (the target may answer fewer)
     */
    public MatchIndex(Mode mode, Collection<String> paths, int pageSize, RetryPolicy retryPolicy) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("Setting scim.list-page-size must be at least 1, not " + pageSize);
        }
        this.mode = mode;
        this.paths = List.copyOf(paths);
        this.pageSize = pageSize;
        this.retryPolicy = retryPolicy;
        Set<String> attributes = new LinkedHashSet<>();
        for (String path : this.paths) {
            // The attribute a value filter or sub-attribute belongs to: emails[type eq "work"].value lists emails.
            int filter = path.indexOf('[');
            attributes.add(filter < 0 ? path : path.substring(0, filter));
        }
        this.attributesQuery = "attributes=" + URLEncoder.encode(String.join(",", attributes), StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    /**
     * Starts listing the target for this cycle when it is an initial one and the index is on; false (and any
     * earlier cycle's index gone) otherwise.
     */
    public boolean begin(@ExchangeProperty("cycle") CycleRun cycle) {
        built = null;
        fingerprints = null;
        if (mode == Mode.OFF || paths.isEmpty() || cycle == null || cycle.type() != CycleRun.Type.INITIAL) {
            return false;
        }
        cycleId = cycle.id();
        fingerprints = new long[1024];
        size = 0;
        startIndex = 1;
        attempt = 0;
        delayMillis = 0;
        firstIdOfLastPage = null;
        return true;
    }

    /** The next page to ask for. */
    public ScimRequest pageRequest() {
        return ScimRequest.get("/Users", attributesQuery + "&startIndex=" + startIndex + "&count=" + pageSize);
    }

    /** How long to wait before asking for the page again (after a 429, a 5xx or no answer); 0 otherwise. */
    public long delayMillis() {
        return delayMillis;
    }

    /**
     * Takes one page of the listing.
     *
     * @return true while another page is to be read (or the same one again after a transient failure)
     */
    public boolean read(@Body ScimResponse response) {
        delayMillis = 0;
        if (response.isCredentialsRejected()) {
            abandon();
            throw ScimCredentialsException.rejectedBy(response);
        }
        if (response.isTransient() && ++attempt < retryPolicy.maxAttempts()) {
            delayMillis = retryPolicy.delay(attempt, response.retryAfter()).toMillis();
            return true;
        }
        if (!response.isSuccess()) {
            return giveUp("listing its users failed (" + response.errorReason() + ")");
        }
        attempt = 0;
        JsonNode body = response.body();
        JsonNode resources = body.path("Resources");
        if (!resources.isArray() || !body.path("totalResults").canConvertToInt()) {
            return giveUp("its list response has no totalResults or Resources");
        }
        int total = body.path("totalResults").asInt();
        if (resources.isEmpty()) {
            return startIndex > total ? finish()
                    : giveUp("its list ended at " + (startIndex - 1) + " of " + total + " users");
        }
        String firstId = resources.get(0).path("id").asText(null);
        if (firstId != null && firstId.equals(firstIdOfLastPage)) {
            return giveUp("it answered the same page for startIndex " + startIndex);
        }
        firstIdOfLastPage = firstId;
        for (JsonNode resource : resources) {
            UserResources.valuesAt(resource, paths).forEach((path, value) -> {
                if (value.isArray()) {
                    value.forEach(v -> add(path, v));
                } else {
                    add(path, value);
                }
            });
        }
        startIndex += resources.size();
        return startIndex <= total || finish();
    }

    /**
     * True when this cycle's index shows that the target holds none of the candidates' values: no match query can
     * find an account, so the user is created at once. False when the index does not cover the cycle.
     */
    public boolean rulesOut(CycleRun cycle, Collection<UserPlan.MatchCandidate> candidates) {
        Built index = built;
        if (index == null || cycle == null || !index.cycleId().equals(cycle.id())) {
            return false;
        }
        for (UserPlan.MatchCandidate candidate : candidates) {
            if (Arrays.binarySearch(index.fingerprints(), fingerprint(candidate.attribute(), candidate.value())) >= 0) {
                return false;
            }
        }
        return true;
    }

    private void add(String path, JsonNode value) {
        if (value.isNull() || value.isContainerNode()) {
            return;
        }
        if (size == fingerprints.length) {
            fingerprints = Arrays.copyOf(fingerprints, size * 2);
        }
        fingerprints[size++] = fingerprint(path, value.asText());
    }

    /** False: nothing more to read. The index stands for this cycle. */
    private boolean finish() {
        long[] sorted = Arrays.copyOf(fingerprints, size);
        Arrays.sort(sorted);
        built = new Built(cycleId, sorted);
        fingerprints = null;
        LOG.info("Cycle {}: the SCIM target holds {} matching values; users it holds none of are created without a "
                + "match query", cycleId, size);
        return false;
    }

    /** False: nothing more to read, and no index; every user of the cycle is matched with a query. */
    private boolean giveUp(String why) {
        abandon();
        LOG.warn("Cycle {}: no match index, because {}; every user is matched with a query", cycleId, why);
        return false;
    }

    private void abandon() {
        built = null;
        fingerprints = null;
    }

    /** FNV-1a, 64 bits, of the attribute and the lower-cased value (SCIM matches userName in any case). */
    static long fingerprint(String attribute, String value) {
        long hash = 0xcbf29ce484222325L;
        String text = attribute.toLowerCase(Locale.ROOT) + '\u0000' + value.toLowerCase(Locale.ROOT);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            hash = (hash ^ (c & 0xff)) * 0x100000001b3L;
            hash = (hash ^ (c >>> 8)) * 0x100000001b3L;
        }
        return hash;
    }
}
