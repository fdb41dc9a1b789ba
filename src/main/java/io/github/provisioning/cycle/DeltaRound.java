package io.github.provisioning.cycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.DeltaTokenExpiredException;
import io.github.provisioning.graph.GraphException;
import java.util.Optional;

/**
 * A users delta round in progress, kept durable after each page whose work is done, so that a cycle that failed or
 * was killed is resumed by the next one at the page it did not finish rather than at page 1.
 *
 * @param id        the round's id, kept across the cycles that read it (the cycle that started it gives it)
 * @param full      true when the round reads every user (an initial cycle), false when it reads the changes since
 *                  a deltaLink
 * @param nextLink  Graph's {@code @odata.nextLink} of the first page not yet done, used whole
 * @param pagesDone the pages whose work is durable, over every cycle that read the round
 * @param configuration the fingerprint of the mapping and scope the round was read with; another one starts over
 */
public record DeltaRound(String id, boolean full, String nextLink, int pagesDone, String configuration) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public DeltaRound {
        if (id == null || id.isBlank() || nextLink == null || nextLink.isBlank()) {
            throw new IllegalArgumentException("a delta round needs an id and the next page's link");
        }
    }

    /**
     * Whether Graph's refusal means the round must start over: the delta token expired, or the first page a resumed
     * round asks for is no longer served (its skip token expired: 400, 404 or 410). Any other refusal fails the cycle.
     */
    public static boolean startsOver(GraphException refusal, boolean resumedPage) {
        int status = refusal.status();
        return refusal instanceof DeltaTokenExpiredException
                || resumedPage && (status == 400 || status == 404 || status == 410);
    }

    public String encode() {
        ObjectNode json = JSON.createObjectNode();
        json.put("id", id);
        json.put("full", full);
        json.put("nextLink", nextLink);
        json.put("pagesDone", pagesDone);
        json.put("configuration", configuration);
        return json.toString();
    }

    /** The stored round; empty when none is stored or the value cannot be read (then the round starts over). */
    public static Optional<DeltaRound> decode(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(value);
            String id = json.path("id").asText(null);
            String link = json.path("nextLink").asText(null);
            if (id == null || link == null || id.isBlank() || link.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new DeltaRound(id, json.path("full").asBoolean(), link,
                    json.path("pagesDone").asInt(), json.path("configuration").asText(null)));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
