package io.github.provisioning.scim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the target says it supports, from {@code /ServiceProviderConfig} (RFC 7643 section 5), read once per run
 * when the target offers it. Unknown until read; a target without the endpoint is assumed to support PATCH and
 * filtering (what Entra requires of every target).
 */
public final class TargetCapabilities {

    private static final Logger LOG = LoggerFactory.getLogger(TargetCapabilities.class);

    private final AtomicBoolean read = new AtomicBoolean();
    private volatile boolean patch = true;
    private volatile boolean filter = true;
    private volatile int filterMaxResults;
    private volatile boolean bulk;
    private volatile int bulkMaxOperations;
    private volatile boolean etag;
    private volatile boolean sort;

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
        filter = body.path("filter").path("supported").asBoolean(true);
        filterMaxResults = body.path("filter").path("maxResults").asInt(0);
        bulk = body.path("bulk").path("supported").asBoolean(false);
        bulkMaxOperations = body.path("bulk").path("maxOperations").asInt(0);
        etag = body.path("etag").path("supported").asBoolean(false);
        sort = body.path("sort").path("supported").asBoolean(false);
        read.set(true);
        LOG.info("SCIM target supports: {}", this);
    }
    @Override
    public String toString() {
        return "patch=" + patch + ", filter=" + filter + (filterMaxResults > 0 ? " (maxResults " + filterMaxResults + ")" : "")
                + ", bulk=" + bulk + (bulk && bulkMaxOperations > 0 ? " (maxOperations " + bulkMaxOperations + ")" : "")
                + ", etag=" + etag + ", sort=" + sort;
    }
}
