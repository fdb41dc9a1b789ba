package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the target says it supports, from {@code /ServiceProviderConfig} (RFC 7643 section 5), read once per run
 * when the target offers it. Unknown until read; a target without the endpoint is assumed to support PATCH and
 * filtering (what Entra requires of every target). A target that says it has no PATCH gets PUT updates, unless
 * {@code update-method} is chosen; one that says it cannot filter is matched through listings of its users and
 * groups.
 */
public final class TargetCapabilities {

    private static final Logger LOG = LoggerFactory.getLogger(TargetCapabilities.class);

    private final AtomicBoolean read = new AtomicBoolean();
    private final ScimDialect dialect;
    private final boolean updateMethodChosen;
    private volatile boolean patch = true;
    private volatile boolean filter = true;
    private volatile int filterMaxResults;
    private volatile boolean bulk;
    private volatile int bulkMaxOperations;
    private volatile boolean etag;
    private volatile boolean sort;

    /**
     * @param dialect            the target's requests as the mapping file and the settings declare them
     * @param updateMethodChosen whether the mapping file's {@code compat: update-method} or
     *                           {@code scim.compat.update-method} chooses PATCH or PUT: that choice wins over the
     *                           target's {@code patch.supported}
     */
    public TargetCapabilities(ScimDialect dialect, boolean updateMethodChosen) {
        this.dialect = dialect;
        this.updateMethodChosen = updateMethodChosen;
    }

    /** True the first time only: the cycle reads the document then. */
    public boolean needsRead() {
        return !read.get();
    }

    public ScimRequest request() {
        return ScimRequest.get("/ServiceProviderConfig", null);
    }

    public void read(@Body ScimResponse response) {
        if (!response.isSuccess()) {
            if (response.isCredentialsRejected() || response.isTransient()) {
                // Not an answer about capabilities; ask again next cycle.
                LOG.warn("SCIM target: /ServiceProviderConfig not readable now ({})", response.errorReason());
                return;
            }
            read.set(true);
            LOG.info("SCIM target offers no /ServiceProviderConfig ({}); assuming PATCH and filter support",
                    response.status());
            return;
        }
        JsonNode body = response.body();
        patch = body.path("patch").path("supported").asBoolean(true);
        filter = filterSupported(body);
        filterMaxResults = body.path("filter").path("maxResults").asInt(0);
        bulk = body.path("bulk").path("supported").asBoolean(false);
        bulkMaxOperations = body.path("bulk").path("maxOperations").asInt(0);
        etag = body.path("etag").path("supported").asBoolean(false);
        sort = body.path("sort").path("supported").asBoolean(false);
        read.set(true);
        LOG.info("SCIM target supports: {}", this);
    }

    /** What a {@code /ServiceProviderConfig} document says of filtering: supported unless it says false. */
    public static boolean filterSupported(JsonNode serviceProviderConfig) {
        return serviceProviderConfig.path("filter").path("supported").asBoolean(true);
    }

    /** The requests as the mapping file and the settings declare them. */
    public ScimDialect dialect() {
        return dialect;
    }

    /** How updates are sent: the dialect's method, or PUT for a target that says it has no PATCH, unless chosen. */
    public ScimDialect.UpdateMethod updateMethod() {
        return !patch && !updateMethodChosen ? ScimDialect.UpdateMethod.PUT : dialect.updateMethod();
    }

    /** False when the target says it cannot filter: its users and groups are matched through listings of them. */
    public boolean filter() {
        return filter;
    }

    /** Says at the start of each cycle what the engine does differently because of what the target supports. */
    public void announce(String cycleId) {
        if (!patch) {
            LOG.info(updateMethodChosen
                    ? "Cycle {}: the SCIM target says it does not support PATCH; updates are sent as {}, as "
                            + "update-method chooses"
                    : "Cycle {}: the SCIM target says it does not support PATCH; updates are sent as GET, then {}",
                    cycleId, updateMethod());
        }
        if (!filter) {
            LOG.info("Cycle {}: the SCIM target says it does not support filters; users are matched, and "
                    + "SelectUniqueValue checked, through a listing of its users; groups through a listing of its "
                    + "groups", cycleId);
        }
    }

    @Override
    public String toString() {
        return "patch=" + patch + ", filter=" + filter + (filterMaxResults > 0 ? " (maxResults " + filterMaxResults + ")" : "")
                + ", bulk=" + bulk + (bulk && bulkMaxOperations > 0 ? " (maxOperations " + bulkMaxOperations + ")" : "")
                + ", etag=" + etag + ", sort=" + sort;
    }
}
