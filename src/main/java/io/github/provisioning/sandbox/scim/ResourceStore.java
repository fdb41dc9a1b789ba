package io.github.provisioning.sandbox.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.PreconditionFailedException;
import com.unboundid.scim2.common.exceptions.ResourceConflictException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.filters.FilterType;
import com.unboundid.scim2.common.utils.StaticUtils;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The resources behind one endpoint ({@code /Users} or {@code /Groups}).
 * <p>
 * Thread-safety without a global lock: reads go straight to concurrent maps; a change to an existing resource
 * holds only a lock striped by id, so two writers of the same resource queue up while everyone else proceeds.
 * The unique-name index is claimed with {@code putIfAbsent} before a resource is published and released after,
 * so it is always a superset of what is stored; lookups re-check every candidate against the stored JSON.
 */
final class ResourceStore {

    /** A change to a private copy of the stored JSON. It may run again if validation fails, so no side effects. */
    @FunctionalInterface
    interface Change {
        ObjectNode apply(ObjectNode copy) throws ScimException;
    }

    record Page(int totalResults, List<StoredResource> resources) {
    }

    private static final int STRIPES = 256;

    private final ScimResourceType type;
    private final String endpointUrl;
    private final ConcurrentHashMap<String, StoredResource> byId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, String> byCreation = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, String> byUniqueKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> byExternalId = new ConcurrentHashMap<>();
    /** Member id to the groups listing it, so deleting a user does not scan every group. */
    private final ConcurrentHashMap<String, Set<String>> byMember = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    ResourceStore(ScimResourceType type, String baseUrl) {
        this.type = type;
        this.endpointUrl = baseUrl + type.endpoint();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    ScimResourceType type() {
        return type;
    }

    StoredResource get(String id) {
        return id == null ? null : byId.get(id);
    }

    StoredResource require(String id) throws ResourceNotFoundException {
        StoredResource found = get(id);
        if (found == null) {
            throw new ResourceNotFoundException(type.resourceName() + " " + id + " not found");
        }
        return found;
    }

    StoredResource byUniqueName(String name) {
        String id = name == null ? null : byUniqueKey.get(StaticUtils.toLowerCase(name));
        StoredResource found = get(id);
        return found != null && found.uniqueKey().equals(StaticUtils.toLowerCase(name)) ? found : null;
    }

    int size() {
        return byId.size();
    }

    /** Every resource in creation order. */
    List<StoredResource> all() {
        List<StoredResource> all = new ArrayList<>(byId.size());
        for (String id : byCreation.values()) {
            StoredResource r = byId.get(id);
            if (r != null) {
                all.add(r);
            }
        }
        return all;
    }

    void clear() {
        for (ReentrantLock stripe : stripes) {
            stripe.lock();
        }
        try {
            byId.clear();
            byCreation.clear();
            byUniqueKey.clear();
            byExternalId.clear();
            byMember.clear();
        } finally {
            for (ReentrantLock stripe : stripes) {
                stripe.unlock();
            }
        }
    }

    /**
     * Stores a new resource.
     *
     * @param resource the client's representation; read-only attributes in it ({@code id}, {@code meta}) are
     *                 ignored as RFC 7644 §3.3 asks
     * @param fixedId  the id to use (seeding), or {@code null} to assign a UUID
     */
    StoredResource create(ObjectNode resource, String fixedId) throws ScimException {
        type.normalise(resource);
        validate(resource);
        String id = fixedId != null ? fixedId : UUID.randomUUID().toString();
        String now = now();
        long seq = sequence.incrementAndGet();
        StoredResource stored = build(id, seq, 1, now, now, resource);

        claimUniqueKey(stored);
        if (byId.containsKey(id)) {
            byUniqueKey.remove(stored.uniqueKey(), id);
            throw ResourceConflictException.uniqueness(type.resourceName() + " id " + id + " already exists");
        }
        indexExternalId(stored);
        index(byMember, stored.memberIds(), id);
        byCreation.put(seq, id);
        if (byId.putIfAbsent(id, stored) != null) {
            byCreation.remove(seq);
            unindexExternalId(stored);
            unindex(byMember, stored.memberIds(), id);
            byUniqueKey.remove(stored.uniqueKey(), id);
            throw ResourceConflictException.uniqueness(type.resourceName() + " id " + id + " already exists");
        }
        return stored;
    }

    /**
     * Changes a stored resource under its stripe lock.
     *
     * @param ifMatch the client's {@code If-Match} header, or {@code null}
     */
    StoredResource update(String id, String ifMatch, Change change) throws ScimException {
        ReentrantLock lock = stripe(id);
        lock.lock();
        try {
            StoredResource current = require(id);
            checkPrecondition(current, ifMatch);
            ObjectNode changed = change.apply(current.json().deepCopy());
            type.normalise(changed);
            validate(changed);
            JsonNode meta = current.json().get("meta");
            String created = meta == null ? now() : meta.path("created").asText(now());
            StoredResource next = build(id, current.sequence(), current.version() + 1, created, now(), changed);

            boolean renamed = !next.uniqueKey().equals(current.uniqueKey());
            if (renamed) {
                claimUniqueKey(next);
            }
            boolean externalIdChanged = !Objects.equals(next.externalId(), current.externalId());
            if (externalIdChanged) {
                indexExternalId(next);
            }
            index(byMember, difference(next.memberIds(), current.memberIds()), id);
            byId.put(id, next);
            if (renamed) {
                byUniqueKey.remove(current.uniqueKey(), id);
            }
            if (externalIdChanged) {
                unindexExternalId(current);
            }
            unindex(byMember, difference(current.memberIds(), next.memberIds()), id);
            return next;
        } finally {
            lock.unlock();
        }
    }

    StoredResource delete(String id, String ifMatch) throws ScimException {
        ReentrantLock lock = stripe(id);
        lock.lock();
        try {
            StoredResource current = require(id);
            checkPrecondition(current, ifMatch);
            byId.remove(id);
            byCreation.remove(current.sequence());
            byUniqueKey.remove(current.uniqueKey(), id);
            unindexExternalId(current);
            unindex(byMember, current.memberIds(), id);
            return current;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resources matching a filter, in creation order, paged. An {@code eq} on id, the unique name or externalId
     * (alone, inside an {@code and}, or every branch of an {@code or}) is answered from an index; any other
     * filter scans, and the SDK's evaluator costs some microseconds per resource.
     *
     * @param filter     the parsed filter, or {@code null} for all resources
     * @param startIndex 1-based index of the first result to return
     * @param count      the maximum number of results to return
     */
    Page search(Filter filter, int startIndex, int count) throws ScimException {
        List<StoredResource> page = new ArrayList<>(Math.min(count, 256));
        if (filter == null) {
            int skipped = 0;
            for (String id : byCreation.values()) {
                if (page.size() >= count) {
                    break;
                }
                StoredResource r = byId.get(id);
                if (r != null && ++skipped >= startIndex) {
                    page.add(r);
                }
            }
            return new Page(byId.size(), page);
        }
        Collection<StoredResource> candidates = indexedCandidates(filter);
        int total = 0;
        for (StoredResource r : candidates != null ? candidates : all()) {
            if (SchemaAwareFilterEvaluator.matches(type, filter, r.json())) {
                total++;
                if (total >= startIndex && page.size() < count) {
                    page.add(r);
                }
            }
        }
        return new Page(total, page);
    }

    private Collection<StoredResource> indexedCandidates(Filter filter) {
        if (filter.getFilterType() == FilterType.OR) {
            Map<String, StoredResource> union = new HashMap<>();
            for (Filter part : filter.getCombinedFilters()) {
                Collection<StoredResource> candidates = indexedCandidates(part);
                if (candidates == null) {
                    return null;
                }
                candidates.forEach(r -> union.putIfAbsent(r.id(), r));
            }
            List<StoredResource> ordered = new ArrayList<>(union.values());
            ordered.sort(Comparator.comparingLong(StoredResource::sequence));
            return ordered;
        }
        if (filter.getFilterType() == FilterType.AND) {
            for (Filter part : filter.getCombinedFilters()) {
                Collection<StoredResource> candidates = indexedCandidates(part);
                if (candidates != null) {
                    return candidates;
                }
            }
            return null;
        }
        if (filter.getFilterType() != FilterType.EQUAL) {
            return null;
        }
        Path path = filter.getAttributePath();
        JsonNode value = filter.getComparisonValue();
        if (path == null || path.size() != 1 || path.getElement(0).getValueFilter() != null
                || (path.getSchemaUrn() != null && !type.isCoreSchema(path.getSchemaUrn()))
                || value == null || !value.isTextual()) {
            return null;
        }
        String attribute = path.getElement(0).getAttribute();
        List<StoredResource> candidates = new ArrayList<>(1);
        if (attribute.equalsIgnoreCase("id")) {
            addIfPresent(candidates, value.textValue());
        } else if (attribute.equalsIgnoreCase(type.uniqueAttribute())) {
            addIfPresent(candidates, byUniqueKey.get(StaticUtils.toLowerCase(value.textValue())));
        } else if (attribute.equalsIgnoreCase("externalId")) {
            Set<String> ids = byExternalId.get(value.textValue());
            if (ids != null) {
                ids.forEach(id -> addIfPresent(candidates, id));
                candidates.sort(Comparator.comparingLong(StoredResource::sequence));
            }
        } else {
            return null;
        }
        return candidates;
    }

    private void addIfPresent(List<StoredResource> into, String id) {
        StoredResource r = get(id);
        if (r != null) {
            into.add(r);
        }
    }

    private void validate(ObjectNode resource) throws BadRequestException {
        JsonNode schemas = resource.get("schemas");
        boolean hasCoreSchema = false;
        if (schemas != null && schemas.isArray()) {
            for (JsonNode urn : schemas) {
                hasCoreSchema |= urn.isTextual() && type.isCoreSchema(urn.textValue());
            }
        }
        if (!hasCoreSchema) {
            throw BadRequestException.invalidValue("schemas must contain " + type.schemaUrn());
        }
        JsonNode unique = resource.get(type.uniqueAttribute());
        if (unique == null || !unique.isTextual() || unique.textValue().isBlank()) {
            throw BadRequestException.invalidValue(type.uniqueAttribute() + " is required and must be a string");
        }
        JsonNode externalId = resource.get("externalId");
        if (externalId != null && !externalId.isTextual()) {
            throw BadRequestException.invalidValue("externalId must be a string");
        }
    }

    /** {@code schemas}, {@code id}, the client's attributes in their order, then {@code meta}. */
    private StoredResource build(String id, long seq, long version, String created, String lastModified,
                                 ObjectNode resource) {
        ObjectNode json = ScimJson.object();
        json.set("schemas", resource.get("schemas"));
        json.put("id", id);
        for (String name : ScimResourceType.names(resource)) {
            if (!name.equalsIgnoreCase("schemas") && !name.equalsIgnoreCase("id") && !name.equalsIgnoreCase("meta")) {
                json.set(name, resource.get(name));
            }
        }
        ObjectNode meta = json.putObject("meta");
        meta.put("resourceType", type.resourceName());
        meta.put("created", created);
        meta.put("lastModified", lastModified);
        meta.put("location", endpointUrl + "/" + id);
        meta.put("version", StoredResource.etag(version));
        JsonNode externalId = json.get("externalId");
        Set<String> members = new HashSet<>();
        for (JsonNode member : json.path("members")) {
            JsonNode value = member.get("value");
            if (value != null && value.isTextual()) {
                members.add(value.textValue());
            }
        }
        return new StoredResource(id, seq, version, StaticUtils.toLowerCase(json.get(type.uniqueAttribute()).textValue()),
                externalId == null ? null : externalId.textValue(), Set.copyOf(members), json);
    }

    private void claimUniqueKey(StoredResource r) throws ResourceConflictException {
        String holder = byUniqueKey.putIfAbsent(r.uniqueKey(), r.id());
        if (holder != null && !holder.equals(r.id())) {
            throw ResourceConflictException.uniqueness(type.uniqueAttribute() + " '"
                    + r.json().get(type.uniqueAttribute()).textValue() + "' is already taken by " + holder);
        }
    }

    private void indexExternalId(StoredResource r) {
        if (r.externalId() != null) {
            index(byExternalId, Set.of(r.externalId()), r.id());
        }
    }

    private void unindexExternalId(StoredResource r) {
        if (r.externalId() != null) {
            unindex(byExternalId, Set.of(r.externalId()), r.id());
        }
    }

    /** Adds id under each key; compute() keeps a concurrent unindex from dropping a set we are adding to. */
    private static void index(ConcurrentHashMap<String, Set<String>> index, Set<String> keys, String id) {
        for (String key : keys) {
            index.compute(key, (k, ids) -> {
                Set<String> set = ids != null ? ids : ConcurrentHashMap.newKeySet();
                set.add(id);
                return set;
            });
        }
    }

    private static void unindex(ConcurrentHashMap<String, Set<String>> index, Set<String> keys, String id) {
        for (String key : keys) {
            index.computeIfPresent(key, (k, ids) -> {
                ids.remove(id);
                return ids.isEmpty() ? null : ids;
            });
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** Ids of the resources whose members include {@code memberId}. */
    Set<String> listingMember(String memberId) {
        Set<String> ids = byMember.get(memberId);
        return ids == null ? Set.of() : Set.copyOf(ids);
    }

    /** RFC 7644 §3.14: {@code If-Match} with a version other than the current one fails with 412. */
    private static void checkPrecondition(StoredResource current, String ifMatch) throws PreconditionFailedException {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        for (String tag : ifMatch.split(",")) {
            if (weak(tag).equals(weak(current.etag()))) {
                return;
            }
        }
        throw new PreconditionFailedException("Resource changed: current version is " + current.etag());
    }

    static String weak(String etag) {
        String t = etag.trim();
        return t.startsWith("W/") ? t.substring(2) : t;
    }

    private ReentrantLock stripe(String id) {
        return stripes[(id.hashCode() & 0x7fffffff) % STRIPES];
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
