package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Microsoft Graph v1.0 endpoints the engine reads, answered from the {@link Tenant}. */
final class GraphApi {

    static final String RESOURCE_DISPLAY_NAME = "SCIM Provisioning Sandbox";
    private static final int DEFAULT_TOP = 100;
    private static final int MAX_TOP = 999;
    private static final Set<String> DELTA_SEGMENTS =
            Set.of("delta", "delta()", "microsoft.graph.delta", "microsoft.graph.delta()");
    private static final List<String> UNSUPPORTED_OPTIONS = List.of("$filter", "$search", "$orderby", "$expand");
    private static final Pattern MANAGER_EXPANSION = Pattern.compile("(?i)manager(?:\\((.*)\\))?");
    /** The options inside manager(...): nothing, or one $select. */
    private static final Pattern SELECT_OPTION = Pattern.compile("(?i)\\s*(?:\\$select=([^;]*))?\\s*");
    /** Graph writes seven fractional digits: "2021-02-02T04:22:45.9480566Z". */
    private static final DateTimeFormatter GRAPH_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final Tenant tenant;
    private final GraphSimulatorConfig config;
    private final TokenEndpoint tokens;
    private final String graphUrl;
    private final String loginUrl;
    /** Delta and paging tokens of an older epoch are unknown sync states. */
    private volatile String epoch = UUID.randomUUID().toString();

    GraphApi(Tenant tenant, GraphSimulatorConfig config, TokenEndpoint tokens, String graphUrl, String loginUrl) {
        this.tenant = tenant;
        this.config = config;
        this.tokens = tokens;
        this.graphUrl = graphUrl;
        this.loginUrl = loginUrl;
    }

    void invalidateTokens() {
        epoch = UUID.randomUUID().toString();
    }

    /**
     * @param segments the decoded path segments after "v1.0"
     * @throws GraphError for every answer but 200
     */
    ObjectNode handle(String method, List<String> segments, String rawQuery, String authorization) {
        authenticate(authorization);
        if (!method.equals("GET")) {
            throw new GraphError(405, "Request_BadRequest",
                    "Specified HTTP method is not allowed for the request target.");
        }
        ODataQuery query = ODataQuery.parse(rawQuery);
        if (segments.isEmpty()) {
            throw GraphError.unknownSegment("");
        }
        String collection = segments.get(0);
        int depth = segments.size();
        if (collection.equalsIgnoreCase("users")) {
            if (depth == 1) {
                return usersList(query, rawQuery);
            }
            if (depth == 2 && isDelta(segments.get(1))) {
                return usersDelta(query);
            }
            if (depth == 2) {
                return user(segments.get(1), query);
            }
            if (depth == 3 && segments.get(2).equalsIgnoreCase("manager")) {
                return manager(segments.get(1), query);
            }
            throw GraphError.unknownSegment(segments.get(2));
        }
        if (collection.equalsIgnoreCase("groups")) {
            if (depth == 1) {
                return groupsList(query, rawQuery);
            }
            if (depth == 2 && isDelta(segments.get(1))) {
                return groupsDelta(query);
            }
            if (depth == 2) {
                return group(segments.get(1), query);
            }
            if (depth == 3 && segments.get(2).equalsIgnoreCase("members")) {
                return members(segments.get(1), query, rawQuery);
            }
            throw GraphError.unknownSegment(segments.get(2));
        }
        if (collection.equalsIgnoreCase("servicePrincipals") && depth >= 2) {
            String servicePrincipalId = segments.get(1);
            if (!servicePrincipalId.equalsIgnoreCase(config.appId())) {
                throw GraphError.notFound(servicePrincipalId);
            }
            if (depth == 2) {
                return servicePrincipal(query);
            }
            if (depth == 3 && segments.get(2).equalsIgnoreCase("appRoleAssignedTo")) {
                return appRoleAssignedTo(query, rawQuery);
            }
            throw GraphError.unknownSegment(segments.get(2));
        }
        throw GraphError.unknownSegment(collection);
    }

    private void authenticate(String authorization) {
        String message = switch (tokens.verify(authorization)) {
            case VALID -> null;
            case MISSING -> "Access token is empty.";
            case UNKNOWN -> "Access token validation failure.";
            case EXPIRED -> "Lifetime validation failed, the token is expired.";
        };
        if (message != null) {
            throw new GraphError(401, "InvalidAuthenticationToken", message, Map.of("WWW-Authenticate",
                    "Bearer realm=\"\", authorization_uri=\"" + loginUrl + "/" + config.tenantId()
                            + "/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""));
        }
    }

    // --- delta ----------------------------------------------------------------------------------------------

    private ObjectNode usersDelta(ODataQuery query) {
        return delta(query, "users", tenant.userSlots, UserSelection::parse, (round, select) ->
                UsersDelta.read(tenant, round, select, config.pageSize(), config.emptyPages(), config.repeatUsers()));
    }

    private ObjectNode groupsDelta(ODataQuery query) {
        return delta(query, "groups", tenant.groupSlots, GroupSelection::parse, (round, select) ->
                GroupsDelta.read(tenant, round, select, config.pageSize(), config.emptyPages()));
    }

    /**
     * A page of users or groups delta: the next page of a round ($skiptoken), a new round from a deltaLink
     * ($deltatoken), a first round, or only a deltaLink ($deltatoken=latest).
     */
    private <S extends Selection> ObjectNode delta(ODataQuery query, String resource, List<?> slots,
                                                   Function<String, S> parse,
                                                   BiFunction<DeltaToken, S, DeltaPage> read) {
        rejectUnsupported(query);
        String path = "/" + resource + "/delta";
        Optional<String> skipToken = query.get("$skiptoken");
        Optional<String> deltaToken = query.get("$deltatoken");
        DeltaToken round;
        if (skipToken.isPresent()) {
            round = DeltaToken.decode(skipToken.get(), "skip", resource, epoch);
        } else if (deltaToken.isPresent() && deltaToken.get().equalsIgnoreCase("latest")) {
            S select = parse.apply(query.get("$select").orElse(null));
            return startFromNow(resource, select.canonical(), select.context(graphUrl), path);
        } else if (deltaToken.isPresent()) {
            RoundStart start = roundStart(slots);
            round = DeltaToken.decode(deltaToken.get(), "delta", resource, epoch).nextRound(start.version(),
                    start.slots());
        } else {
            S select = parse.apply(query.get("$select").orElse(null));
            RoundStart start = roundStart(slots);
            round = DeltaToken.firstRound(epoch, resource, select.canonical(), start.version(), start.slots());
        }
        S select = parse.apply(round.select());
        return deltaBody(select.context(graphUrl), read.apply(round, select), path);
    }

    /** $deltatoken=latest: no objects, only a deltaLink that reports changes from now on. */
    private ObjectNode startFromNow(String resource, String select, String context, String path) {
        DeltaToken watermark = DeltaToken.firstRound(epoch, resource, select, roundStart(List.of()).version(), 0)
                .watermark();
        return deltaBody(context, DeltaPage.last(List.of(), watermark), path);
    }

    private ObjectNode deltaBody(String context, DeltaPage page, String path) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("@odata.context", context);
        if (page.next() != null) {
            body.put("@odata.nextLink", graphUrl + path + "?$skiptoken=" + page.next().encode("skip"));
        } else {
            body.put("@odata.deltaLink", graphUrl + path + "?$deltatoken=" + page.watermark().encode("delta"));
        }
        body.putArray("value").addAll(page.value());
        return body;
    }

    private record RoundStart(long version, int slots) {
    }

    /**
     * Version and slot count are read together: a slot beyond the count must hold an object created after the
     * version, or the next round would not report it.
     */
    private RoundStart roundStart(List<?> slots) {
        tenant.readLock().lock();
        try {
            return new RoundStart(tenant.currentVersion(), slots.size());
        } finally {
            tenant.readLock().unlock();
        }
    }

    // --- single objects -------------------------------------------------------------------------------------

    /** Graph addresses a user by id or by userPrincipalName. */
    private ObjectNode user(String idOrUpn, ODataQuery query) {
        UserSelection select = UserSelection.parse(query.get("$select").orElse(null));
        Optional<UserSelection> expandManager = managerExpansion(query);
        return entity(select.context(graphUrl), idOrUpn, () -> findUser(idOrUpn), user -> {
            ObjectNode node = user.toJson(select.properties());
            UserEntry manager = tenant.reportingLines.current(user);
            // Graph leaves the expanded property out when there is no manager.
            if (expandManager.isPresent() && manager != null) {
                node.set("manager", managerJson(manager, expandManager.get()));
            }
            return node;
        });
    }

    /** GET /users/{id}/manager: the manager as a directoryObject; 404 for the segment when there is none. */
    private ObjectNode manager(String idOrUpn, ODataQuery query) {
        rejectUnsupported(query);
        UserSelection select = UserSelection.parse(query.get("$select").orElse(null));
        tenant.readLock().lock();
        try {
            UserEntry user = findUser(idOrUpn);
            if (user == null || !user.live()) {
                throw GraphError.notFound(idOrUpn);
            }
            UserEntry manager = tenant.reportingLines.current(user);
            if (manager == null) {
                throw GraphError.notFound("manager");
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("@odata.context", graphUrl + "/$metadata#directoryObjects/$entity");
            body.setAll(managerJson(manager, select));
            return body;
        } finally {
            tenant.readLock().unlock();
        }
    }

    private UserEntry findUser(String idOrUpn) {
        return idOrUpn.contains("@") ? tenant.liveUserByUpn(idOrUpn) : tenant.findUser(idOrUpn);
    }

    /** The manager is a directoryObject, so Graph names its type. */
    private static ObjectNode managerJson(UserEntry manager, UserSelection select) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("@odata.type", manager.odataType());
        node.setAll(manager.toJson(select.properties()));
        return node;
    }

    /**
     * {@code $expand=manager} or {@code manager($select=a,b)} on a single user, as user-list-manager documents;
     * empty without $expand. Other navigation properties and {@code $levels} are beyond the simulator.
     */
    private static Optional<UserSelection> managerExpansion(ODataQuery query) {
        Optional<String> expand = query.get("$expand");
        if (expand.isEmpty()) {
            return Optional.empty();
        }
        Matcher manager = MANAGER_EXPANSION.matcher(expand.get().trim());
        Matcher select = manager.matches() ? SELECT_OPTION.matcher(Objects.requireNonNullElse(manager.group(1), ""))
                : null;
        if (select == null || !select.matches()) {
            throw new GraphError(400, "Request_UnsupportedQuery", "The Graph simulator expands only the manager of a"
                    + " single user: $expand=manager or $expand=manager($select=...).");
        }
        return Optional.of(UserSelection.parse(select.group(1)));
    }

    private ObjectNode group(String id, ODataQuery query) {
        GroupSelection select = GroupSelection.parse(query.get("$select").orElse(null));
        return entity(select.context(graphUrl), id, () -> tenant.findGroup(id),
                group -> group.toJson(select.properties()));
    }

    /** One live user or group; 404 when it is unknown or deleted. */
    private <E extends DirectoryObject> ObjectNode entity(String context, String key, Supplier<E> find,
                                                          Function<E, ObjectNode> toJson) {
        tenant.readLock().lock();
        try {
            E entry = find.get();
            if (entry == null || !entry.live()) {
                throw GraphError.notFound(key);
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("@odata.context", context + "/$entity");
            body.setAll(toJson.apply(entry));
            return body;
        } finally {
            tenant.readLock().unlock();
        }
    }

    private ObjectNode servicePrincipal(ODataQuery query) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("@odata.context", graphUrl + "/$metadata#servicePrincipals/$entity");
        body.put("id", config.appId());
        body.put("appId", config.clientId());
        body.put("displayName", RESOURCE_DISPLAY_NAME);
        body.put("servicePrincipalType", "Application");
        body.put("accountEnabled", true);
        body.put("appRoleAssignmentRequired", true);
        ArrayNode roles = body.putArray("appRoles");
        for (Tenant.AppRole role : tenant.appRoles()) {
            ObjectNode node = roles.addObject();
            node.putArray("allowedMemberTypes").add("User").add("Group");
            node.put("description", role.displayName());
            node.put("displayName", role.displayName());
            node.put("id", role.id());
            node.put("isEnabled", true);
            node.put("origin", "Application");
            node.put("value", role.value());
        }
        // $select: Graph answers only the selected properties (and the context).
        query.get("$select").ifPresent(select -> {
            Set<String> selected = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            selected.addAll(Arrays.asList(select.split(",")));
            body.retain(body.properties().stream().map(Map.Entry::getKey)
                    .filter(name -> name.startsWith("@odata") || selected.contains(name)).toList());
        });
        return body;
    }

    // --- paged lists ----------------------------------------------------------------------------------------

    /** One page of a list: the entries and the position to resume from, -1 at the end. */
    private record Slice(List<ObjectNode> value, int next) {

        /** Reads slots from {@code from} until {@code top} are listed; slots not listed are passed over. */
        static <T> Slice of(List<T> slots, int from, int top, Predicate<T> listed, Function<T, ObjectNode> toJson) {
            List<ObjectNode> value = new ArrayList<>();
            int position = from;
            for (; position < slots.size() && value.size() < top; position++) {
                T slot = slots.get(position);
                if (listed.test(slot)) {
                    value.add(toJson.apply(slot));
                }
            }
            return new Slice(value, position < slots.size() ? position : -1);
        }
    }

    private ObjectNode usersList(ODataQuery query, String rawQuery) {
        UserSelection select = UserSelection.parse(query.get("$select").orElse(null));
        return list(query, rawQuery, "/users", "users", select.context(graphUrl), (from, top) ->
                Slice.of(tenant.userSlots, from, top, UserEntry::live, user -> user.toJson(select.properties())));
    }

    private ObjectNode groupsList(ODataQuery query, String rawQuery) {
        GroupSelection select = GroupSelection.parse(query.get("$select").orElse(null));
        return list(query, rawQuery, "/groups", "groups", select.context(graphUrl), (from, top) ->
                Slice.of(tenant.groupSlots, from, top, GroupEntry::live, group -> group.toJson(select.properties())));
    }

    /** Direct members only: a nested group is listed as a group, its own members are not. */
    private ObjectNode members(String groupId, ODataQuery query, String rawQuery) {
        String select = query.get("$select").orElse(null);
        UserSelection userSelect = UserSelection.parse(null);
        List<GroupProperty> groupSelect = GroupProperty.ALL;
        String context = graphUrl + "/$metadata#directoryObjects";
        if (select != null && !select.isBlank()) {
            List<UserProperty> userProperties = new ArrayList<>();
            List<GroupProperty> groupProperties = new ArrayList<>();
            for (String name : select.split(",")) {
                String trimmed = name.trim();
                Optional<UserProperty> userProperty = UserProperty.byName(trimmed);
                Optional<GroupProperty> groupProperty = GroupProperty.byName(trimmed);
                if (!trimmed.isEmpty() && !trimmed.equalsIgnoreCase("id") && userProperty.isEmpty()
                        && groupProperty.isEmpty()) {
                    throw GraphError.unknownProperty(trimmed, "directoryObject");
                }
                userProperty.ifPresent(userProperties::add);
                groupProperty.ifPresent(groupProperties::add);
            }
            userSelect = new UserSelection(List.copyOf(userProperties), false, select);
            groupSelect = List.copyOf(groupProperties);
            context += "(" + select.replace(" ", "") + ")";
        }
        UserSelection users = userSelect;
        List<GroupProperty> groups = groupSelect;
        return list(query, rawQuery, "/groups/" + groupId + "/members", "members:" + groupId, context,
                (from, top) -> {
                    GroupEntry group = tenant.findGroup(groupId);
                    if (group == null || !group.live()) {
                        throw GraphError.notFound(groupId);
                    }
                    return Slice.of(group.memberships, from, top, Membership::visible, membership -> {
                        ObjectNode node = JsonNodeFactory.instance.objectNode();
                        node.put("@odata.type", membership.member.odataType());
                        node.setAll(membership.member instanceof UserEntry user
                                ? user.toJson(users.properties())
                                : ((GroupEntry) membership.member).toJson(groups));
                        return node;
                    });
                });
    }

    /** An appRoleAssignment's properties, in Graph's order; $select may name any of them. */
    private static final List<String> ASSIGNMENT_PROPERTIES = List.of("id", "deletedDateTime", "appRoleId",
            "createdDateTime", "principalDisplayName", "principalId", "principalType", "resourceDisplayName",
            "resourceId");

    private ObjectNode appRoleAssignedTo(ODataQuery query, String rawQuery) {
        String context = graphUrl + "/$metadata#servicePrincipals('" + config.appId() + "')/appRoleAssignedTo";
        List<String> properties = ASSIGNMENT_PROPERTIES;
        String select = query.get("$select").orElse(null);
        if (select != null && !select.isBlank()) {
            List<String> selected = new ArrayList<>();
            for (String name : select.split(",")) {
                String property = ASSIGNMENT_PROPERTIES.stream().filter(p -> p.equalsIgnoreCase(name.trim()))
                        .findFirst().orElseThrow(() -> GraphError.unknownProperty(name.trim(), "appRoleAssignment"));
                if (!selected.contains(property)) {
                    selected.add(property);
                }
            }
            properties = List.copyOf(selected);
            context += "(" + String.join(",", properties) + ")";
        }
        List<String> shown = properties;
        return list(query, rawQuery, "/servicePrincipals/" + config.appId() + "/appRoleAssignedTo",
                "appRoleAssignedTo", context, (from, top) -> Slice.of(tenant.assignmentSlots, from, top,
                        assignment -> !assignment.removed && assignment.principal.live(),
                        assignment -> assignmentJson(assignment, shown)));
    }

    /** The assignment's properties named, in that order; its id is derived, so made only when shown. */
    private ObjectNode assignmentJson(Assignment assignment, List<String> properties) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (String property : properties) {
            switch (property) {
                case "id" -> node.put("id", assignment.id());
                case "deletedDateTime" -> node.putNull("deletedDateTime");
                case "appRoleId" -> node.put("appRoleId", assignment.appRoleId);
                case "createdDateTime" -> node.put("createdDateTime",
                        GRAPH_TIMESTAMP.format(Instant.ofEpochMilli(assignment.createdAtMillis)));
                case "principalDisplayName" -> node.put("principalDisplayName", assignment.principal.displayName());
                case "principalId" -> node.put("principalId", assignment.principal.id());
                case "principalType" -> node.put("principalType", assignment.principal.principalType());
                case "resourceDisplayName" -> node.put("resourceDisplayName", RESOURCE_DISPLAY_NAME);
                case "resourceId" -> node.put("resourceId", config.appId());
                default -> throw new IllegalArgumentException(property);
            }
        }
        return node;
    }

    private interface PageSource {
        Slice read(int from, int top);
    }

    /**
     * A list paged with $top (1..999, default 100) and an opaque $skiptoken; the nextLink repeats the request's
     * other options, as Graph's do.
     */
    private ObjectNode list(ODataQuery query, String rawQuery, String path, String listName, String context,
                            PageSource source) {
        rejectUnsupported(query);
        int top = top(query);
        int from = query.get("$skiptoken").map(token -> position(token, listName)).orElse(0);
        Slice slice;
        tenant.readLock().lock();
        try {
            slice = source.read(from, top);
        } finally {
            tenant.readLock().unlock();
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("@odata.context", context);
        if (slice.next() >= 0) {
            ObjectNode state = JsonNodeFactory.instance.objectNode();
            state.put("e", epoch);
            state.put("l", listName);
            state.put("p", slice.next());
            String otherOptions = otherOptions(rawQuery);
            body.put("@odata.nextLink", graphUrl + path + "?" + otherOptions
                    + (otherOptions.isEmpty() ? "" : "&") + "$skiptoken=" + OpaqueToken.encode(state));
        }
        ArrayNode value = body.putArray("value");
        value.addAll(slice.value());
        return body;
    }

    private int position(String token, String listName) {
        ObjectNode state = OpaqueToken.decode(token).orElse(null);
        if (state == null || !epoch.equals(state.path("e").asText()) || !listName.equals(state.path("l").asText())
                || !state.path("p").canConvertToInt()) {
            throw new GraphError(400, "Directory_ExpiredPageToken",
                    "The specified page token value has expired and can no longer be included in your request.");
        }
        return state.path("p").intValue();
    }

    private static int top(ODataQuery query) {
        Optional<String> top = query.get("$top");
        if (top.isEmpty()) {
            return DEFAULT_TOP;
        }
        int value;
        try {
            value = Integer.parseInt(top.get().trim());
        } catch (NumberFormatException notANumber) {
            throw GraphError.badRequest("Invalid $top value '" + top.get() + "'.");
        }
        if (value < 1 || value > MAX_TOP) {
            throw new GraphError(400, "Request_UnsupportedQuery", "Invalid page size specified: '" + value
                    + "'. Must be between 1 and " + MAX_TOP + " inclusive.");
        }
        return value;
    }

    private static String otherOptions(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
            if (!pair.isEmpty() && !name.equalsIgnoreCase("$skiptoken")) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    /** The simulator has no query engine; failing loudly beats silently ignoring a filter. */
    private static void rejectUnsupported(ODataQuery query) {
        for (String option : UNSUPPORTED_OPTIONS) {
            if (query.has(option)) {
                throw new GraphError(400, "Request_UnsupportedQuery",
                        "The Graph simulator does not support the query option " + option + ".");
            }
        }
    }

    private static boolean isDelta(String segment) {
        return DELTA_SEGMENTS.contains(segment.toLowerCase(java.util.Locale.ROOT));
    }
}
