package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The mutable directory behind the simulator: users, groups, direct memberships and the app's role assignments.
 * Thread-safe. Property names are Graph's ({@link UserProperty}, {@link GroupProperty}).
 *
 * <p>Every change takes the next value of a tenant-wide version clock and stamps it on what changed. Delta rounds
 * remember the clock value at which they began and later report everything stamped after it. Nothing is ever
 * removed from the slot lists (deletions leave tombstones in place), so a paging cursor is simply a slot index.
 */
public final class Tenant {

    /** Fair, so HTTP readers keep going while a test thread changes the tenant in a tight loop. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private long clock;

    final ArrayList<UserEntry> userSlots = new ArrayList<>();
    final ReportingLines reportingLines = new ReportingLines(userSlots);
    private final Map<String, UserEntry> explicitUsers = new HashMap<>();
    private SampleDirectory sample;
    private int sampleBase;

    final ArrayList<GroupEntry> groupSlots = new ArrayList<>();
    private final Map<String, GroupEntry> groupsById = new HashMap<>();

    final ArrayList<Assignment> assignmentSlots = new ArrayList<>();
    private final Map<DirectoryObject, Assignment> assignmentsByPrincipal = new IdentityHashMap<>();
    /** Assignments of a principal beyond its first (a principal may hold several app roles). */
    private final Map<DirectoryObject, List<Assignment>> furtherAssignments = new IdentityHashMap<>();
    private int assignmentSerial;

    /** Graph's appRoleId for an assignment without a specific app role ("Default Access"). */
    public static final String DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000";
    /** The app roles of the application's service principal, in definition order. */
    private final List<AppRole> appRoles = new ArrayList<>();

    /** An app role as the service principal's {@code appRoles} lists it. */
    public record AppRole(String id, String displayName, String value) {
    }

    // --- users ----------------------------------------------------------------------------------------------

    /**
     * Adds a user. {@code props} uses Graph property names; "id" is optional (a GUID is generated when absent),
     * accountEnabled defaults to true. The caller keeps userPrincipalName unique, as Entra would.
     *
     * @return the user's id
     * @throws IllegalArgumentException for an unknown property, a wrongly typed value or an id already taken
     */
    public String addUser(Map<String, ?> props) {
        Map<UserProperty, Object> changes = userChanges(props, true);
        Object requestedId = requestedId(props);
        if (requestedId != null && !(requestedId instanceof String)) {
            throw new IllegalArgumentException("id must be a String");
        }
        Object[] values = new Object[UserProperty.COUNT];
        values[UserProperty.BUSINESS_PHONES.ordinal()] = List.of();
        values[UserProperty.ACCOUNT_ENABLED.ordinal()] = Boolean.TRUE;
        changes.forEach((property, value) -> values[property.ordinal()] = property.kind().merge(null, value));
        return write(() -> {
            String id = unusedId((String) requestedId);
            UserEntry user = UserEntry.explicit(id, values, tick());
            userSlots.add(user);
            explicitUsers.put(id, user);
            return id;
        });
    }

    /**
     * Changes properties of a live user; a null value clears the property (businessPhones becomes empty, as Graph
     * never returns a null collection). A change that sets the values already held is not a change.
     */
    public void updateUser(String id, Map<String, ?> changes) {
        Map<UserProperty, Object> normalized = userChanges(changes, false);
        run(() -> {
            UserEntry user = liveUser(id);
            Object[] current = user.values();
            Map<UserProperty, Object> merged = new LinkedHashMap<>();
            normalized.forEach((property, value) ->
                    merged.put(property, property.kind().merge(current[property.ordinal()], value)));
            boolean changed = merged.entrySet().stream()
                    .anyMatch(e -> !Objects.equals(current[e.getKey().ordinal()], e.getValue()));
            if (changed) {
                Object[] values = user.valuesForUpdate();
                merged.forEach((property, value) -> values[property.ordinal()] = value);
                user.version = tick();
            }
        });
    }

    /**
     * Moves a live user to the deleted items: delta reports it as {@code @removed: changed}, and its reports lose
     * their manager until it is restored.
     */
    public void softDeleteUser(String id) {
        run(() -> {
            UserEntry user = liveUser(id);
            moveTo(user, Lifecycle.SOFT_DELETED);
            reportingLines.managerLeft(user, user.version);
        });
    }

    /** Brings a soft-deleted user back, with its memberships, assignment, manager and reports. */
    public void restoreUser(String id) {
        run(() -> {
            UserEntry user = findUser(id);
            restore(user, "user", id);
            reportingLines.managerReturned(user, user.version);
            reportingLines.userReturned(user, user.version);
        });
    }

    /**
     * Deletes a live or soft-deleted user for good: delta reports {@code @removed: deleted}, and its reports lose
     * their manager for good.
     */
    public void hardDeleteUser(String id) {
        run(() -> {
            UserEntry user = existing(findUser(id), "user", id);
            boolean wasLive = user.live();
            moveTo(user, Lifecycle.HARD_DELETED);
            reportingLines.managerGoneForGood(user, wasLive, user.version);
            reportingLines.forget(user);
            dropAssignment(user);
            explicitUsers.remove(id);
            user.forgetValues();
        });
    }

    /**
     * Sets or clears a live user's manager, as {@code PUT /users/{id}/manager/$ref} and {@code DELETE
     * /users/{id}/manager/$ref} do. Users delta reports the change when it tracks {@code manager}. Setting the
     * manager already held changes nothing.
     *
     * @param managerIdOrNull a live user other than the user itself; null removes the manager
     * @throws NoSuchElementException   when the user or the manager is not a live user
     * @throws IllegalArgumentException when a user would manage itself
     */
    public void setManager(String userId, String managerIdOrNull) {
        run(() -> {
            UserEntry user = liveUser(userId);
            UserEntry manager = managerIdOrNull == null ? null : liveUser(managerIdOrNull);
            if (manager == user) {
                throw new IllegalArgumentException("A user cannot be its own manager");
            }
            if (reportingLines.assigned(user) != manager) {
                reportingLines.assign(user, manager, tick());
            }
        });
    }

    /**
     * The id of the manager Graph shows for a live user ({@code GET /users/{id}/manager}); empty when it has none
     * or its manager is deleted.
     *
     * @throws NoSuchElementException when the user is not a live user
     */
    public Optional<String> managerId(String userId) {
        return read(() -> Optional.ofNullable(reportingLines.current(liveUser(userId))).map(UserEntry::id));
    }

    /** A live user with id and every stored property. */
    public Optional<ObjectNode> user(String id) {
        return read(() -> {
            UserEntry user = findUser(id);
            return user != null && user.live()
                    ? Optional.of(user.toJson(List.of(UserProperty.values()))) : Optional.empty();
        });
    }

    /** Live users (not deleted), in creation order, with every stored property. */
    public List<ObjectNode> users() {
        return read(() -> {
            List<ObjectNode> users = new ArrayList<>();
            List<UserProperty> all = List.of(UserProperty.values());
            for (UserEntry user : userSlots) {
                if (user.live()) {
                    users.add(user.toJson(all));
                }
            }
            return users;
        });
    }

    /** Case-insensitive, as Entra compares UPNs. A scan: meant for tests and tools, not hot paths. */
    public Optional<ObjectNode> userByUpn(String userPrincipalName) {
        return read(() -> Optional.ofNullable(liveUserByUpn(userPrincipalName))
                .map(user -> user.toJson(List.of(UserProperty.values()))));
    }

    public int userCount() {
        return read(() -> (int) userSlots.stream().filter(UserEntry::live).count());
    }

    // --- groups ---------------------------------------------------------------------------------------------

    /** Adds a security group. */
    public String addGroup(String displayName) {
        return addGroup(Map.of(GroupProperty.DISPLAY_NAME.graphName(), displayName));
    }

    /**
     * Adds a group from Graph properties (displayName required; id, description, mailNickname, mail, mailEnabled,
     * securityEnabled, groupTypes, visibility optional). Defaults make it a security group.
     */
    public String addGroup(Map<String, ?> props) {
        Map<GroupProperty, Object> changes = groupChanges(props);
        Object displayName = changes.get(GroupProperty.DISPLAY_NAME);
        if (displayName == null) {
            throw new IllegalArgumentException("A group needs a displayName");
        }
        Object[] values = new Object[GroupProperty.COUNT];
        values[GroupProperty.MAIL_NICKNAME.ordinal()] = nickname((String) displayName);
        values[GroupProperty.MAIL_ENABLED.ordinal()] = Boolean.FALSE;
        values[GroupProperty.SECURITY_ENABLED.ordinal()] = Boolean.TRUE;
        values[GroupProperty.GROUP_TYPES.ordinal()] = List.of();
        changes.forEach((property, value) -> values[property.ordinal()] = value);
        Object requestedId = requestedId(props);
        return write(() -> {
            String id = unusedId(requestedId != null ? requestedId.toString() : null);
            GroupEntry group = new GroupEntry(id, values, tick());
            groupSlots.add(group);
            groupsById.put(id, group);
            return id;
        });
    }

    public void updateGroup(String id, Map<String, ?> changes) {
        Map<GroupProperty, Object> normalized = groupChanges(changes);
        run(() -> {
            GroupEntry group = liveGroup(id);
            boolean changed = normalized.entrySet().stream()
                    .anyMatch(e -> !Objects.equals(group.values[e.getKey().ordinal()], e.getValue()));
            if (changed) {
                normalized.forEach((property, value) -> group.values[property.ordinal()] = value);
                group.version = tick();
            }
        });
    }

    public void renameGroup(String id, String displayName) {
        updateGroup(id, Map.of(GroupProperty.DISPLAY_NAME.graphName(), displayName));
    }

    /** Soft-deletes a group, as Graph's DELETE does: delta reports {@code @removed: changed}. */
    public void deleteGroup(String id) {
        run(() -> moveTo(liveGroup(id), Lifecycle.SOFT_DELETED));
    }

    public void restoreGroup(String id) {
        run(() -> restore(findGroup(id), "group", id));
    }

    /** Deletes a live or soft-deleted group for good: delta reports {@code @removed: deleted}. */
    public void hardDeleteGroup(String id) {
        run(() -> {
            GroupEntry group = existing(findGroup(id), "group", id);
            moveTo(group, Lifecycle.HARD_DELETED);
            dropAssignment(group);
            groupsById.remove(id);
        });
    }

    /** Adds a user or a group (nesting) as a direct member; adding a current member changes nothing. */
    public void addMember(String groupId, String memberId) {
        run(() -> {
            GroupEntry group = liveGroup(groupId);
            DirectoryObject member = liveObject(memberId);
            if (member == group) {
                throw new IllegalArgumentException("A group cannot be a member of itself");
            }
            Membership membership = group.membership(member);
            if (membership == null) {
                long version = tick();
                group.addMembership(member, version);
                group.version = version;
            } else if (membership.removed) {
                long version = tick();
                membership.removed = false;
                membership.version = version;
                group.version = version;
            }
        });
    }

    /** Removes a direct member; removing a non-member changes nothing. */
    public void removeMember(String groupId, String memberId) {
        run(() -> {
            GroupEntry group = liveGroup(groupId);
            DirectoryObject member = findObject(memberId);
            Membership membership = member == null ? null : group.membership(member);
            if (membership != null && !membership.removed) {
                long version = tick();
                membership.removed = true;
                membership.version = version;
                group.version = version;
            }
        });
    }

    public Optional<ObjectNode> group(String id) {
        return read(() -> {
            GroupEntry group = findGroup(id);
            return group != null && group.live() ? Optional.of(group.toJson(GroupProperty.ALL)) : Optional.empty();
        });
    }

    public List<ObjectNode> groups() {
        return read(() -> groupSlots.stream().filter(GroupEntry::live).map(g -> g.toJson(GroupProperty.ALL)).toList());
    }

    public Optional<ObjectNode> groupByName(String displayName) {
        return read(() -> groupSlots.stream()
                .filter(g -> g.live() && displayName.equals(g.displayName()))
                .findFirst()
                .map(g -> g.toJson(GroupProperty.ALL)));
    }

    /** Ids of the direct members Graph would list now (deleted members drop out). */
    public List<String> memberIds(String groupId) {
        return read(() -> liveGroup(groupId).memberships.stream()
                .filter(Membership::visible).map(m -> m.member.id()).toList());
    }

    // --- app role assignments -------------------------------------------------------------------------------

    /**
     * Assigns the app's default role to a live user or group (the type follows from the id).
     *
     * @return the assignment id; assigning an assigned principal returns its existing assignment
     */
    public String assign(String principalId) {
        return assign(principalId, DEFAULT_ACCESS);
    }

    /**
     * Assigns an app role (one of {@link #addAppRole}'s ids, or {@link #DEFAULT_ACCESS}) to a live user or group. A
     * principal may hold several roles, each its own assignment, as in Entra.
     *
     * @return the assignment id; assigning a role the principal already holds returns that assignment
     * @throws IllegalArgumentException when the service principal has no such app role (Graph answers 400)
     */
    public String assign(String principalId, String appRoleId) {
        return write(() -> {
            if (!DEFAULT_ACCESS.equals(appRoleId) && appRoles.stream().noneMatch(r -> r.id().equals(appRoleId))) {
                throw new IllegalArgumentException("Permission being assigned was not found on application: "
                        + appRoleId);
            }
            DirectoryObject principal = liveObject(principalId);
            for (Assignment existing : assignmentsOf(principal)) {
                if (existing.appRoleId.equals(appRoleId)) {
                    return existing.id();
                }
            }
            Assignment assignment = new Assignment(principal, ++assignmentSerial, System.currentTimeMillis(),
                    appRoleId);
            assignmentSlots.add(assignment);
            if (assignmentsByPrincipal.putIfAbsent(principal, assignment) != null) {
                furtherAssignments.computeIfAbsent(principal, p -> new ArrayList<>()).add(assignment);
            }
            return assignment.id();
        });
    }

    /** Removes the principal's assignments, if any. */
    public void unassign(String principalId) {
        run(() -> {
            DirectoryObject principal = findObject(principalId);
            if (principal != null) {
                dropAssignment(principal);
            }
        });
    }

    /** Removes the principal's assignment of one app role, if it has it; its other roles stay. */
    public void unassign(String principalId, String appRoleId) {
        run(() -> {
            DirectoryObject principal = findObject(principalId);
            if (principal == null) {
                return;
            }
            List<Assignment> kept = new ArrayList<>();
            for (Assignment assignment : assignmentsOf(principal)) {
                if (assignment.appRoleId.equals(appRoleId)) {
                    assignment.removed = true;
                } else {
                    kept.add(assignment);
                }
            }
            assignmentsByPrincipal.remove(principal);
            furtherAssignments.remove(principal);
            if (!kept.isEmpty()) {
                assignmentsByPrincipal.put(principal, kept.get(0));
                if (kept.size() > 1) {
                    furtherAssignments.put(principal, new ArrayList<>(kept.subList(1, kept.size())));
                }
            }
        });
    }

    /**
     * Defines an app role on the application's service principal (its {@code appRoles}).
     *
     * @return the new role's id
     */
    public String addAppRole(String displayName, String value) {
        return write(() -> {
            AppRole role = new AppRole(UUID.randomUUID().toString(), displayName, value);
            appRoles.add(role);
            return role.id();
        });
    }

    /** The service principal's app roles. */
    public List<AppRole> appRoles() {
        return read(() -> List.copyOf(appRoles));
    }

    private List<Assignment> assignmentsOf(DirectoryObject principal) {
        Assignment first = assignmentsByPrincipal.get(principal);
        if (first == null) {
            return List.of();
        }
        List<Assignment> all = new ArrayList<>(List.of(first));
        all.addAll(furtherAssignments.getOrDefault(principal, List.of()));
        return all;
    }

    /** Principals Graph would list in appRoleAssignedTo now (deleted principals drop out). */
    public List<String> assignedPrincipalIds() {
        return read(() -> assignmentSlots.stream()
                .filter(a -> !a.removed && a.principal.live()).map(a -> a.principal.id()).toList());
    }

    // --- sample ---------------------------------------------------------------------------------------------

    /**
     * Fills the tenant with a deterministic Contoso-like directory: {@code userCount} users, groups "Sales" and
     * "Engineering" (split into "Sales 2"... above 10,000 members) that are assigned to the app, "Sales EMEA"
     * nested in "Sales" (its members are not in scope), "All Staff" (everyone, or every k-th user above 10,000),
     * and two in three of the remaining users assigned directly; the rest are out of scope. Nearly every user has
     * a manager: an org chart of five to nine direct reports per manager under one head of the company (see
     * {@link SampleDirectory#managerIndex(int)}). Users and their reporting lines stay virtual until changed, so a
     * million users take tens of megabytes. A tenant holds at most one sample.
     */
    public void populateSample(int userCount, long seed) {
        if (userCount < 0) {
            throw new IllegalArgumentException("userCount must not be negative");
        }
        run(() -> {
            if (sample != null) {
                throw new IllegalStateException("This tenant already holds a sample");
            }
            SampleDirectory directory = new SampleDirectory(seed, userCount);
            long version = tick();
            List<UserEntry> sales = new ArrayList<>();
            List<UserEntry> salesEmea = new ArrayList<>();
            List<UserEntry> engineering = new ArrayList<>();
            List<UserEntry> allStaff = new ArrayList<>();
            List<UserEntry> direct = new ArrayList<>();
            int allStaffStride = Math.max(1, (userCount + SampleDirectory.MAX_GROUP_SIZE - 1)
                    / SampleDirectory.MAX_GROUP_SIZE);
            userSlots.ensureCapacity(userSlots.size() + userCount);
            int base = userSlots.size();
            for (int i = 0; i < userCount; i++) {
                UserEntry user = UserEntry.sample(directory, i, version);
                userSlots.add(user);
                String department = directory.department(i);
                if (department.equals(SampleDirectory.SALES)) {
                    (directory.emea(i) ? salesEmea : sales).add(user);
                } else if (department.equals(SampleDirectory.ENGINEERING)) {
                    engineering.add(user);
                } else if (directory.directlyAssigned(i)) {
                    direct.add(user);
                }
                if (i % allStaffStride == 0) {
                    allStaff.add(user);
                }
            }
            sample = directory;
            sampleBase = base;
            reportingLines.sample(directory, base, version);

            int[] ordinal = {0};
            List<GroupEntry> salesGroups = sampleGroups(directory, ordinal, version, "Sales",
                    "Everyone in the Sales department", sales);
            List<GroupEntry> emeaGroups = sampleGroups(directory, ordinal, version, "Sales EMEA",
                    "Sales people in the European offices", salesEmea);
            List<GroupEntry> engineeringGroups = sampleGroups(directory, ordinal, version, "Engineering",
                    "Everyone in the Engineering department", engineering);
            GroupEntry allStaffGroup = sampleGroups(directory, ordinal, version, "All Staff",
                    "Company-wide announcements", allStaff).get(0);
            Object[] unified = allStaffGroup.values;
            unified[GroupProperty.GROUP_TYPES.ordinal()] = List.of("Unified");
            unified[GroupProperty.MAIL_ENABLED.ordinal()] = Boolean.TRUE;
            unified[GroupProperty.SECURITY_ENABLED.ordinal()] = Boolean.FALSE;
            unified[GroupProperty.VISIBILITY.ordinal()] = "Public";
            unified[GroupProperty.MAIL.ordinal()] = unified[GroupProperty.MAIL_NICKNAME.ordinal()]
                    + "@" + SampleDirectory.DOMAIN;
            for (GroupEntry emea : emeaGroups) {
                salesGroups.get(0).addMembership(emea, version);
            }

            int assigned = 0;
            List<DirectoryObject> principals = new ArrayList<>(salesGroups);
            principals.addAll(engineeringGroups);
            principals.addAll(direct);
            assignmentSlots.ensureCapacity(assignmentSlots.size() + principals.size());
            for (DirectoryObject principal : principals) {
                Assignment assignment = new Assignment(principal, ++assignmentSerial,
                        directory.assignedAtMillis(assigned++));
                assignmentSlots.add(assignment);
                assignmentsByPrincipal.put(principal, assignment);
            }
        });
    }

    private List<GroupEntry> sampleGroups(SampleDirectory directory, int[] ordinal, long version, String name,
                                          String description, List<UserEntry> members) {
        int shards = Math.max(1, (members.size() + SampleDirectory.MAX_GROUP_SIZE - 1)
                / SampleDirectory.MAX_GROUP_SIZE);
        List<GroupEntry> groups = new ArrayList<>(shards);
        for (int shard = 0; shard < shards; shard++) {
            String displayName = shard == 0 ? name : name + " " + (shard + 1);
            Object[] values = new Object[GroupProperty.COUNT];
            values[GroupProperty.DISPLAY_NAME.ordinal()] = displayName;
            values[GroupProperty.DESCRIPTION.ordinal()] = description;
            values[GroupProperty.MAIL_NICKNAME.ordinal()] = nickname(displayName);
            values[GroupProperty.MAIL_ENABLED.ordinal()] = Boolean.FALSE;
            values[GroupProperty.SECURITY_ENABLED.ordinal()] = Boolean.TRUE;
            values[GroupProperty.GROUP_TYPES.ordinal()] = List.of();
            GroupEntry group = new GroupEntry(directory.groupId(ordinal[0]++), values, version);
            int from = (int) ((long) members.size() * shard / shards);
            int to = (int) ((long) members.size() * (shard + 1) / shards);
            for (UserEntry member : members.subList(from, to)) {
                group.addMembership(member, version);
            }
            groupSlots.add(group);
            groupsById.put(group.id(), group);
            groups.add(group);
        }
        return groups;
    }

    // --- for the Graph endpoints (callers hold the read lock) -----------------------------------------------

    Lock readLock() {
        return lock.readLock();
    }

    /** The version the next delta round starts from. */
    long currentVersion() {
        return clock;
    }

    /** A user that is live or soft-deleted; null when unknown or hard-deleted. */
    UserEntry findUser(String id) {
        UserEntry user = explicitUsers.get(id);
        if (user != null) {
            return user;
        }
        if (sample != null) {
            int index = sample.indexOf(id);
            if (index >= 0) {
                UserEntry sampled = userSlots.get(sampleBase + index);
                return sampled.state == Lifecycle.HARD_DELETED ? null : sampled;
            }
        }
        return null;
    }

    UserEntry liveUserByUpn(String userPrincipalName) {
        for (UserEntry user : userSlots) {
            if (user.live() && userPrincipalName.equalsIgnoreCase(
                    (String) user.value(UserProperty.USER_PRINCIPAL_NAME))) {
                return user;
            }
        }
        return null;
    }

    /** A group that is live or soft-deleted; null when unknown or hard-deleted. */
    GroupEntry findGroup(String id) {
        return groupsById.get(id);
    }

    // --- internals ------------------------------------------------------------------------------------------

    private long tick() {
        return ++clock;
    }

    private DirectoryObject findObject(String id) {
        UserEntry user = findUser(id);
        return user != null ? user : findGroup(id);
    }

    private DirectoryObject liveObject(String id) {
        return live(findObject(id), "user or group", id);
    }

    private UserEntry liveUser(String id) {
        return live(findUser(id), "user", id);
    }

    private GroupEntry liveGroup(String id) {
        return live(findGroup(id), "group", id);
    }

    private static <T extends DirectoryObject> T existing(T object, String kind, String id) {
        if (object == null) {
            throw new NoSuchElementException("No " + kind + " " + id);
        }
        return object;
    }

    private static <T extends DirectoryObject> T live(T object, String kind, String id) {
        if (object == null || !object.live()) {
            throw new NoSuchElementException("No live " + kind + " " + id);
        }
        return object;
    }

    /** The id asked for, or a new GUID; ids are unique across users and groups, as in Entra. */
    private String unusedId(String requestedId) {
        String id = requestedId != null ? requestedId : UUID.randomUUID().toString();
        if (findUser(id) != null || findGroup(id) != null) {
            throw new IllegalArgumentException("An object with id " + id + " already exists");
        }
        return id;
    }

    private static Object requestedId(Map<String, ?> props) {
        return props.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("id")).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private void restore(DirectoryObject object, String kind, String id) {
        if (object == null || object.state != Lifecycle.SOFT_DELETED) {
            throw new NoSuchElementException("No soft-deleted " + kind + " " + id);
        }
        moveTo(object, Lifecycle.LIVE);
    }

    /** Stamps the move on the object and on every membership it holds. */
    private void moveTo(DirectoryObject object, Lifecycle state) {
        long version = tick();
        object.state = state;
        object.version = version;
        touchMemberships(object, version, state == Lifecycle.HARD_DELETED);
    }

    /** Entra drops a deleted object from its groups, so every group holding it has a membership change. */
    private void touchMemberships(DirectoryObject member, long version, boolean remove) {
        for (GroupEntry group : groupSlots) {
            if (group.state == Lifecycle.HARD_DELETED) {
                continue;
            }
            Membership membership = group.membership(member);
            if (membership != null && !membership.removed) {
                membership.version = version;
                membership.removed = remove;
                group.version = version;
            }
        }
    }

    private void dropAssignment(DirectoryObject principal) {
        for (Assignment assignment : assignmentsOf(principal)) {
            assignment.removed = true;
        }
        assignmentsByPrincipal.remove(principal);
        furtherAssignments.remove(principal);
    }

    private static Map<UserProperty, Object> userChanges(Map<String, ?> props, boolean allowId) {
        Map<UserProperty, Object> changes = new LinkedHashMap<>();
        props.forEach((name, value) -> {
            if (name.equalsIgnoreCase("id")) {
                if (!allowId) {
                    throw new IllegalArgumentException("A user's id cannot change");
                }
                return;
            }
            UserProperty property = UserProperty.byName(name).orElseThrow(() ->
                    new IllegalArgumentException("Unknown user property '" + name + "'"));
            changes.put(property, property.kind().normalize(property.graphName(), value));
        });
        return changes;
    }

    private static Map<GroupProperty, Object> groupChanges(Map<String, ?> props) {
        Map<GroupProperty, Object> changes = new LinkedHashMap<>();
        props.forEach((name, value) -> {
            if (name.equalsIgnoreCase("id")) {
                return;
            }
            GroupProperty property = GroupProperty.byName(name).orElseThrow(() ->
                    new IllegalArgumentException("Unknown group property '" + name + "'"));
            changes.put(property, property.kind().normalize(property.graphName(), value));
        });
        return changes;
    }

    private static String nickname(String displayName) {
        String ascii = Normalizer.normalize(displayName, Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return ascii.isEmpty() ? "group" : ascii;
    }

    private <T> T read(Supplier<T> action) {
        lock.readLock().lock();
        try {
            return action.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private <T> T write(Supplier<T> action) {
        lock.writeLock().lock();
        try {
            return action.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void run(Runnable action) {
        write(() -> {
            action.run();
            return null;
        });
    }
}
