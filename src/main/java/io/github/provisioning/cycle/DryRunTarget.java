package io.github.provisioning.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;

/**
 * The target as a dry run sees it: a write (POST, PUT, PATCH, DELETE) is never sent, but answered here as a target
 * answers a success, so the provisioner records the outcome it would have had. A created object gets an id of the
 * form {@code dry-run-<uuid>}, and a read of such an id (a PUT target's read before its write) is answered with what
 * was posted; every other read goes to the target.
 */
public final class DryRunTarget {

    static final String ID_PREFIX = "dry-run-";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the running dry run created, by path; dropped when another dry run begins. */
    private final Map<String, JsonNode> created = new ConcurrentHashMap<>();
    private volatile String cycleId;

    /** {@link #intercepts} as a registry predicate: the cycle in the exchange property, the request in the body. */
    public Predicate interceptsRequest() {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return intercepts(exchange.getProperty("cycle", CycleRun.class),
                        exchange.getMessage().getBody(ScimRequest.class));
            }

            @Override
            public String toString() {
                return "dryRunTarget.intercepts";
            }
        };
    }

    /** {@link #answer} as a registry processor: the body becomes the answer a target would give the request. */
    public Processor answersRequest() {
        return exchange -> exchange.getMessage().setBody(answer(exchange.getProperty("cycle", CycleRun.class),
                exchange.getMessage().getMandatoryBody(ScimRequest.class)));
    }

    /** True for a request of a dry run that must not reach the target. */
    public boolean intercepts(@ExchangeProperty("cycle") CycleRun cycle, @Body ScimRequest request) {
        return cycle != null && cycle.dryRun()
                && (!"GET".equals(request.method()) || request.path().contains("/" + ID_PREFIX));
    }

    public ScimResponse answer(@ExchangeProperty("cycle") CycleRun cycle, @Body ScimRequest request) {
        if (!cycle.id().equals(cycleId)) {
            created.clear();
            cycleId = cycle.id();
        }
        ObjectNode body = parse(request.body());
        return switch (request.method()) {
            case "POST" -> {
                String id = ID_PREFIX + UUID.randomUUID();
                body.put("id", id);
                created.put(request.path() + "/" + id, body);
                yield new ScimResponse(201, body, null);
            }
            case "PUT" -> new ScimResponse(200, body, null);
            case "GET" -> {
                JsonNode posted = created.get(request.path());
                yield posted == null ? new ScimResponse(404, JSON.createObjectNode(), null)
                        : new ScimResponse(200, posted, null);
            }
            default -> new ScimResponse(204, JSON.createObjectNode(), null);
        };
    }

    private static ObjectNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body) instanceof ObjectNode object ? object : JSON.createObjectNode();
        } catch (IOException e) {
            throw new IllegalArgumentException("A dry run's SCIM request has no JSON body: " + e.getMessage(), e);
        }
    }
}
