package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.TargetCapabilities;
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
 *
 * <p>A target whose {@code /ServiceProviderConfig} says {@code filter.supported=false} cannot answer a match query.
 * It is listed at the start of every cycle, whatever {@code scim.match-index} says, and the listing keeps each
 * value's account id too: a user is matched by reading the account the listing names ({@code GET /Users/{id}}), and
 * SelectUniqueValue's candidates are checked against the listed values of their target attribute. A second index
 * lists such a target's groups ({@code GET /Groups}) once in each cycle that provisions groups. Provision on demand
 * has no cycle's listing: it {@link #search searches} the pages until the first account that holds the value.
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

    /**
     * An index complete for one cycle.
     *
     * @param ids for a target without filters, the account id of each fingerprint (same order); null otherwise
     */
    private record Built(String cycleId, long[] fingerprints, String[] ids) {
    }

    /** A listed value's fingerprint and its account, sorted together. */
    private record Listed(long fingerprint, String id) {
    }

    /**
     * One page of an on-demand search through the listing ({@link #search}).
     *
     * @param id             the account holding the value, or null
     * @param nextStartIndex the page to ask for next when the value is not found yet; 0 when the listing ended
     * @param problem        why the listing cannot be read, or null
     */
    public record Search(String id, int nextStartIndex, String problem) {
    }

    /** A list response's resources and total, or why it is not one. */
    private record Page(JsonNode resources, int total, String problem) {
    }

    /** The answer of a match query that finds nothing: an empty ListResponse. */
    public static final ScimResponse NO_MATCH = new ScimResponse(200, JsonNodeFactory.instance.objectNode()
            .put("totalResults", 0).set("Resources", JsonNodeFactory.instance.arrayNode()), null);

    private final Mode mode;
    private final String resource;
    private final String noun;
    private final List<String> paths;
    private final String attributesQuery;
    private final int pageSize;
    private final RetryPolicy retryPolicy;
    private final TargetCapabilities target;
    private volatile Built built;

    // The listing in progress; only the cycle's own route (one thread at a time) touches these.
    private String cycleId;
    private long[] fingerprints;
    /** The account of each fingerprint, kept for a target without filters only. */
    private String[] ids;
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
        this(mode, paths, pageSize, retryPolicy, null);
    }

    /**
     * @param paths  the matching attributes' target paths, then SelectUniqueValue's target paths
     * @param target what the target supports; null: a target that filters
     */
    public MatchIndex(Mode mode, Collection<String> paths, int pageSize, RetryPolicy retryPolicy,
                      TargetCapabilities target) {
        this("/Users", mode, paths, pageSize, retryPolicy, target);
    }

    /**
     * @param resource the endpoint listed: {@code /Users} or {@code /Groups}
     */
    public MatchIndex(String resource, Mode mode, Collection<String> paths, int pageSize, RetryPolicy retryPolicy,
                      TargetCapabilities target) {
        this.resource = resource;
        this.noun = resource.substring(1).toLowerCase(Locale.ROOT);
        this.target = target;
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
     * Starts listing the target for this cycle when it is an initial one and the index is on, or whatever the cycle
     * when the target cannot filter; false (and any earlier cycle's index gone) otherwise.
     */
    public boolean begin(@ExchangeProperty("cycle") CycleRun cycle) {
        built = null;
        fingerprints = null;
        ids = null;
        boolean listing = target != null && !target.filter();
        if (paths.isEmpty() || cycle == null
                || !listing && (mode == Mode.OFF || cycle.type() != CycleRun.Type.INITIAL)) {
            return false;
        }
        cycleId = cycle.id();
        fingerprints = new long[1024];
        ids = listing ? new String[1024] : null;
        size = 0;
        startIndex = 1;
        attempt = 0;
        delayMillis = 0;
        firstIdOfLastPage = null;
        return true;
    }

    /** The next page to ask for. */
    public ScimRequest pageRequest() {
        return pageAt(startIndex);
    }

    /** The page of the listing that starts at the 1-based startIndex. */
    public ScimRequest pageAt(int startIndex) {
        return ScimRequest.get(resource, attributesQuery + "&startIndex=" + startIndex + "&count=" + pageSize);
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
            return giveUp("listing its " + noun + " failed (" + response.errorReason() + ")");
        }
        attempt = 0;
        Page page = page(response, startIndex);
        if (page.problem() != null) {
            return giveUp(page.problem());
        }
        JsonNode resources = page.resources();
        int total = page.total();
        if (resources.isEmpty()) {
            return finish();
        }
        String firstId = resources.get(0).path("id").asText(null);
        if (firstId != null && firstId.equals(firstIdOfLastPage)) {
            return giveUp("it answered the same page for startIndex " + startIndex);
        }
        firstIdOfLastPage = firstId;
        for (JsonNode resource : resources) {
            String id = resource.path("id").asText(null);
            UserResources.valuesAt(resource, paths).forEach((path, value) -> {
                if (value.isArray()) {
                    value.forEach(v -> add(path, v, id));
                } else {
                    add(path, value, id);
                }
            });
        }
        startIndex += resources.size();
        return startIndex <= total || finish();
    }

    /**
     * One page of a search through the listing for the account holding the candidate's value, as provision on demand
     * does against a target without filters: the first account that holds it (in any letter case), else the next
     * page to ask for, else none.
     *
     * @param response   the answer to {@link #pageAt(int)} for startIndex, a success
     */
    public Search search(ScimResponse response, int startIndex, ObjectPlan.MatchCandidate candidate) {
        Page page = page(response, startIndex);
        if (page.problem() != null) {
            return new Search(null, 0, page.problem());
        }
        for (JsonNode resource : page.resources()) {
            if (holds(resource, candidate)) {
                return new Search(resource.path("id").asText(null), 0, null);
            }
        }
        int next = startIndex + page.resources().size();
        return new Search(null, page.resources().isEmpty() || next > page.total() ? 0 : next, null);
    }

    /**
     * The account a listing named, read by id ({@code GET /Users/{id}} or {@code /Groups/{id}}), as the answer a
     * match query would have given: a ListResponse with the account when it still holds the value (in any letter
     * case), an empty one when it is gone (404) or holds it no more; any other failure as it is.
     */
    public static ScimResponse listedAccount(ObjectPlan.MatchCandidate candidate, ScimResponse response) {
        if (response.status() == 404 || response.isSuccess() && !holds(response.body(), candidate)) {
            return NO_MATCH;
        }
        if (!response.isSuccess()) {
            return response;
        }
        ObjectNode list = JsonNodeFactory.instance.objectNode().put("totalResults", 1);
        list.putArray("Resources").add(response.body());
        return new ScimResponse(200, list, null);
    }

    /**
     * Why an object whose create got no answer, or a 409, fails on a target without filters: the cycle's listing
     * predates the create, so only the next cycle's listing shows whether it was made.
     */
    public static String createUnknown(ObjectPlan.MatchCandidate candidate) {
        return "the create's outcome is unknown and the SCIM target supports no filter: the next cycle's listing "
                + "shows whether " + candidate.attribute() + " \"" + candidate.value() + "\" was created";
    }

    /** Whether the resource holds the candidate's value at its attribute, in any letter case. */
    private static boolean holds(JsonNode resource, ObjectPlan.MatchCandidate candidate) {
        JsonNode held = UserResources.valuesAt(resource, List.of(candidate.attribute())).get(candidate.attribute());
        for (JsonNode value : held == null ? List.<JsonNode>of() : held.isArray() ? held : List.of(held)) {
            if (value.isValueNode() && value.asText().equalsIgnoreCase(candidate.value())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A page of the listing: its resources and total; a problem when it is no list response, or ends early (an
     * empty page before the total).
     */
    private Page page(ScimResponse response, int startIndex) {
        JsonNode body = response.body();
        JsonNode resources = body.path("Resources");
        if (!resources.isArray() || !body.path("totalResults").canConvertToInt()) {
            return new Page(null, 0, "its list response has no totalResults or Resources");
        }
        int total = body.path("totalResults").asInt();
        if (resources.isEmpty() && startIndex <= total) {
            return new Page(null, 0, "its list ended at " + (startIndex - 1) + " of " + total + " " + noun);
        }
        return new Page(resources, total, null);
    }

    /**
     * True when this cycle's index shows that the target holds none of the candidates' values: no match query can
     * find an account, so the user is created at once. False when the index does not cover the cycle.
     */
    public boolean rulesOut(CycleRun cycle, Collection<ObjectPlan.MatchCandidate> candidates) {
        Built index = indexOf(cycle);
        if (index == null) {
            return false;
        }
        for (ObjectPlan.MatchCandidate candidate : candidates) {
            if (Arrays.binarySearch(index.fingerprints(), fingerprint(candidate.attribute(), candidate.value())) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when this cycle listed a target without filters: {@link #accountWith} and {@link #holds} answer for it,
     * in place of queries.
     */
    public boolean lists(CycleRun cycle) {
        Built index = indexOf(cycle);
        return index != null && index.ids() != null;
    }

    /** The account this cycle's listing shows holding the value, or null; see {@link #lists}. */
    public String accountWith(CycleRun cycle, ObjectPlan.MatchCandidate candidate) {
        Built index = indexOf(cycle);
        if (index == null || index.ids() == null) {
            return null;
        }
        int at = Arrays.binarySearch(index.fingerprints(), fingerprint(candidate.attribute(), candidate.value()));
        return at < 0 ? null : index.ids()[at];
    }

    /**
     * Whether this cycle's listing holds the value at the attribute, in any letter case; null when the cycle has no
     * listing. True may also be a fingerprint shared with another value.
     */
    public Boolean holds(CycleRun cycle, String attribute, String value) {
        Built index = indexOf(cycle);
        return index == null ? null
                : Arrays.binarySearch(index.fingerprints(), fingerprint(attribute, value)) >= 0;
    }

    private Built indexOf(CycleRun cycle) {
        Built index = built;
        return index == null || cycle == null || !index.cycleId().equals(cycle.id()) ? null : index;
    }

    private void add(String path, JsonNode value, String id) {
        if (value.isNull() || value.isContainerNode()) {
            return;
        }
        if (size == fingerprints.length) {
            fingerprints = Arrays.copyOf(fingerprints, size * 2);
            ids = ids == null ? null : Arrays.copyOf(ids, size * 2);
        }
        if (ids != null) {
            ids[size] = id;
        }
        fingerprints[size++] = fingerprint(path, value.asText());
    }

    /** False: nothing more to read. The index stands for this cycle. */
    private boolean finish() {
        long[] sorted = Arrays.copyOf(fingerprints, size);
        String[] sortedIds = null;
        if (ids != null) {
            Listed[] listed = new Listed[size];
            for (int i = 0; i < size; i++) {
                listed[i] = new Listed(fingerprints[i], ids[i]);
            }
            Arrays.sort(listed, java.util.Comparator.comparingLong(Listed::fingerprint));
            sortedIds = new String[size];
            for (int i = 0; i < size; i++) {
                sorted[i] = listed[i].fingerprint();
                sortedIds[i] = listed[i].id();
            }
        } else {
            Arrays.sort(sorted);
        }
        built = new Built(cycleId, sorted, sortedIds);
        fingerprints = null;
        ids = null;
        if (sortedIds != null) {
            LOG.info("Cycle {}: the SCIM target, which cannot filter, holds {} matching values; {} are matched "
                    + "against this listing", cycleId, size, noun);
        } else {
            LOG.info("Cycle {}: the SCIM target holds {} matching values; users it holds none of are created "
                    + "without a match query", cycleId, size);
        }
        return false;
    }

    /** False: nothing more to read, and no index; every user of the cycle is matched with a query. */
    private boolean giveUp(String why) {
        boolean listing = ids != null;
        abandon();
        if (listing) {
            LOG.warn("Cycle {}: no listing of the SCIM target's {}, because {}; it cannot filter, so {} that need "
                    + "matching fail this cycle", cycleId, noun, why, noun);
        } else {
            LOG.warn("Cycle {}: no match index, because {}; every user is matched with a query", cycleId, why);
        }
        return false;
    }

    private void abandon() {
        built = null;
        fingerprints = null;
        ids = null;
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
