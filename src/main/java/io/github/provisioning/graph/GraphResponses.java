package io.github.provisioning.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/** Turns Graph HTTP answers into pages and users, and Graph errors into {@link GraphException}s. */
public final class GraphResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A collection page: users delta, appRoleAssignedTo or group members. */
    public GraphPage page(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body) {
        JsonNode json = read(status, body);
        // Graph may repeat a user within a round; on one page the last entry is the newest state. Keeping one
        // entry per id also means no two operations on one object run in parallel.
        Map<String, SourceChange> changes = new LinkedHashMap<>();
        for (JsonNode entry : json.path("value")) {
            SourceChange change = change(entry);
            changes.remove(change.id());
            changes.put(change.id(), change);
        }
        return new GraphPage(new ArrayList<>(changes.values()),
                json.path("@odata.nextLink").asText(null), json.path("@odata.deltaLink").asText(null));
    }

    /**
     * A groups delta page, every entry kept: a large group comes several times (on one page or on several), each
     * time with more of its members@delta, so entries are merged by id later, never replaced.
     */
    public GraphPage entries(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body) {
        JsonNode json = read(status, body);
        List<SourceChange> changes = new ArrayList<>();
        for (JsonNode entry : json.path("value")) {
            changes.add(change(entry));
        }
        return new GraphPage(changes, json.path("@odata.nextLink").asText(null),
                json.path("@odata.deltaLink").asText(null));
    }

    /** A single user read by id; 404 means it is gone (deleted, or soft-deleted, which /users hides). */
    public SourceChange user(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body,
                             @ExchangeProperty("sourceId") String id) {
        if (status == 404) {
            return new SourceChange(id, null, SourceChange.Kind.NOT_FOUND);
        }
        return change(read(status, body));
    }

    /**
     * An appRoleAssignedTo or group members page: each entry's principal (an assignment's principalId, principalType
     * and appRoleId; a member's id and {@code @odata.type}), and the next page's URL. Read as a stream, keeping no
     * entry as a tree: the scope is read whole every cycle.
     */
    public PrincipalPage principalPage(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body) {
        if (status < 200 || status > 299 || body == null) {
            read(status, body); // throws Graph's error; an answer with no body is an empty last page
            return new PrincipalPage(List.of(), null);
        }
        List<Principal> principals = new ArrayList<>();
        String nextLink = null;
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw unexpected("the answer is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("@odata.nextLink")) {
                    nextLink = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                } else if (field.equals("value") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        principals.add(principal(parser));
                    }
                } else if (field.equals("value")) {
                    throw unexpected("value is not an array");
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new GraphException(status, "UnreadableResponse", "the answer is not JSON: " + e.getMessage());
        }
        return new PrincipalPage(principals, nextLink);
    }

    /** One entry of a principals page; the parser stands on its start and is left on its end. */
    private static Principal principal(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw unexpected("an entry is not a JSON object");
        }
        String principalId = null;
        String principalType = null;
        String appRoleId = null;
        String id = null;
        String odataType = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            String text = value.isScalarValue() && value != JsonToken.VALUE_NULL ? parser.getValueAsString() : null;
            switch (field) {
                case "principalId" -> principalId = text;
                case "principalType" -> principalType = text;
                case "appRoleId" -> appRoleId = text;
                case "id" -> id = text;
                case "@odata.type" -> odataType = text;
                default -> parser.skipChildren();
            }
        }
        if (principalId != null) {
            return new Principal(principalId, principalType == null ? "" : principalType, appRoleId);
        }
        if (id == null) {
            throw unexpected("an entry has no id");
        }
        String type = odataType == null ? "#microsoft.graph.user" : odataType;
        return new Principal(id, type.substring(type.lastIndexOf('.') + 1));
    }

    private static GraphException unexpected(String what) {
        return new GraphException(200, "UnexpectedResponse", what);
    }

    /**
     * The service principal's app roles ({@code GET /servicePrincipals/{id}?$select=appRoles}), by id. A role without
     * an id cannot be assigned and is left out.
     */
    public Map<String, AppRole> appRoles(@Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body InputStream body) {
        Map<String, AppRole> roles = new LinkedHashMap<>();
        for (JsonNode role : read(status, body).path("appRoles")) {
            String id = role.path("id").asText(null);
            if (id != null) {
                roles.put(id, new AppRole(id, role.path("displayName").asText(null), role.path("value").asText(null)));
            }
        }
        return roles;
    }

    /** An app role of the application: {@code value} is what is provisioned (may be null). */
    public record AppRole(String id, String displayName, String value) {
    }

    /**
     * A principal on an appRoleAssignedTo page (with the app role it was assigned) or a members page (appRoleId
     * null).
     */
    public record Principal(String id, String type, String appRoleId) {
        public Principal(String id, String type) {
            this(id, type, null);
        }

        public boolean isUser() {
            return type.equalsIgnoreCase("user");
        }

        public boolean isGroup() {
            return type.equalsIgnoreCase("group");
        }
    }

    private static SourceChange change(JsonNode entry) {
        String id = entry.path("id").asText();
        JsonNode removed = entry.get("@removed");
        if (removed != null) {
            boolean deleted = "deleted".equals(removed.path("reason").asText());
            return new SourceChange(id, null,
                    deleted ? SourceChange.Kind.HARD_DELETED : SourceChange.Kind.SOFT_DELETED);
        }
        if (!entry.isObject()) {
            throw new GraphException(200, "UnexpectedResponse", "an entry is not a JSON object");
        }
        if (!entry.has("id")) {
            // appRoleAssignment entries carry their own id; others without one cannot be tracked.
            throw new GraphException(200, "UnexpectedResponse", "an entry has no id");
        }
        return new SourceChange(id, (ObjectNode) entry, SourceChange.Kind.PRESENT);
    }

    private static JsonNode read(int status, InputStream body) {
        JsonNode json;
        try {
            json = body == null ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new GraphException(status, "UnreadableResponse", "the answer is not JSON: " + e.getMessage());
        }
        if (json == null) {
            json = JSON.createObjectNode();
        }
        if (status < 200 || status > 299) {
            JsonNode error = json.path("error");
            String code = error.path("code").asText(null);
            String message = error.path("message").asText(null);
            if (status == 410 || "syncStateNotFound".equals(code) || "resyncRequired".equals(code)) {
                throw new DeltaTokenExpiredException(status, code, message);
            }
            throw new GraphException(status, code, message);
        }
        return json;
    }
}
