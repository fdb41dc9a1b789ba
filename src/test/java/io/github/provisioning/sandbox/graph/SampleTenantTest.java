package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SampleTenantTest {

    private static Tenant sample(int users, long seed) {
        Tenant tenant = new Tenant();
        tenant.populateSample(users, seed);
        return tenant;
    }

    private static String idOf(Tenant tenant, String groupName) {
        return tenant.groupByName(groupName).orElseThrow().get("id").asText();
    }

    @Test
    void sameSeedBuildsTheSameTenant() {
        Tenant first = sample(50, 42);
        Tenant second = sample(50, 42);

        assertThat(second.users()).isEqualTo(first.users());
        assertThat(second.groups()).isEqualTo(first.groups());
        assertThat(second.assignedPrincipalIds()).isEqualTo(first.assignedPrincipalIds());
        for (ObjectNode group : first.groups()) {
            String id = group.get("id").asText();
            assertThat(second.memberIds(id)).isEqualTo(first.memberIds(id));
        }
    }

    @Test
    void sampleOrgChartIsTheSameForTheSameSeedAndDiffersForAnother() {
        Tenant first = sample(300, 42);
        Tenant second = sample(300, 42);
        Tenant other = sample(300, 43);

        List<String> ids = first.users().stream().map(u -> u.get("id").asText()).toList();
        List<String> otherIds = other.users().stream().map(u -> u.get("id").asText()).toList();
        List<Integer> managers = managerPositions(first, ids);
        assertThat(managerPositions(second, ids)).isEqualTo(managers);
        assertThat(managerPositions(other, otherIds)).isNotEqualTo(managers);
    }

    /** Each user's manager as a position in the user list (ids differ between seeds, positions compare). */
    private static List<Integer> managerPositions(Tenant tenant, List<String> ids) {
        return ids.stream().map(id -> tenant.managerId(id).map(ids::indexOf).orElse(-1)).toList();
    }

    @Test
    void fiftyUserSampleHasAFewManagersOneHeadAndEveryoneElseMostlyReportingToAManager() {
        Tenant tenant = sample(50, 42);
        List<String> ids = tenant.users().stream().map(u -> u.get("id").asText()).toList();
        Map<String, String> managerOf = new HashMap<>();
        ids.forEach(id -> tenant.managerId(id).ifPresent(manager -> managerOf.put(id, manager)));

        assertThat(managerOf).hasSizeBetween(45, 49);
        Set<String> managers = new HashSet<>(managerOf.values());
        assertThat(managers).hasSizeBetween(50 / SampleDirectory.MAX_SPAN, 50 / SampleDirectory.MIN_SPAN + 1);
        assertThat(ids).containsAll(managers);
        Set<String> heads = managers.stream().filter(manager -> !managerOf.containsKey(manager))
                .collect(Collectors.toSet());
        assertThat(heads).hasSize(1);
        for (String id : ids) {
            String step = id;
            int depth = 0;
            while (managerOf.containsKey(step)) {
                step = managerOf.get(step);
                assertThat(++depth).as("a chain of command without a head").isLessThan(10);
            }
        }
    }

    @Test
    void sampleReportsAreExactlyTheUsersWhoseManagerIsTheirManager() {
        for (int users : new int[] {0, 1, 2, 7, 50, 1_001}) {
            SampleDirectory directory = new SampleDirectory(users * 31L, users);
            int[] reportCount = new int[users];
            for (int index = 0; index < users; index++) {
                int manager = directory.managerIndex(index);
                assertThat(manager).isBetween(-1, users - 1).isNotEqualTo(index);
                if (manager >= 0) {
                    reportCount[manager]++;
                    assertThat(directory.reportIndexes(manager)).contains(index);
                }
            }
            for (int index = 0; index < users; index++) {
                assertThat(directory.reportIndexes(index)).hasSize(reportCount[index])
                        .hasSizeLessThanOrEqualTo(SampleDirectory.MAX_SPAN);
            }
        }
    }

    @Test
    void differentSeedBuildsADifferentTenant() {
        assertThat(sample(50, 43).users()).isNotEqualTo(sample(50, 42).users());
    }

    @Test
    void fiftyUserSampleLooksLikeARealDirectory() {
        Tenant tenant = sample(50, 42);
        List<ObjectNode> users = tenant.users();

        assertThat(users).hasSize(50);
        assertThat(users).extracting(u -> u.get("userPrincipalName").asText())
                .doesNotHaveDuplicates()
                .allSatisfy(upn -> assertThat(upn).matches("[a-z]+\\.[a-z]+\\d*@contoso\\.example"));
        assertThat(users).extracting(u -> u.get("id").asText())
                .allSatisfy(id -> assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        long disabled = users.stream().filter(u -> !u.get("accountEnabled").asBoolean()).count();
        assertThat(disabled).isBetween(3L, 6L);
        assertThat(users).filteredOn(u -> u.get("mobilePhone").isNull()).hasSizeBetween(2, 10);
        assertThat(users).filteredOn(u -> u.get("mail").isNull()).hasSizeBetween(1, 6);
        long complete = users.stream().filter(SampleTenantTest::everyPropertyFilled).count();
        assertThat(complete).isGreaterThan(15);
        assertThat(users).allSatisfy(u -> {
            assertThat(u.get("displayName").asText()).isEqualTo(u.get("givenName").asText() + " "
                    + u.get("surname").asText());
            assertThat(u.get("department").isNull()).isFalse();
            assertThat(u.get("businessPhones").isArray()).isTrue();
        });
    }

    private static boolean everyPropertyFilled(JsonNode user) {
        for (UserProperty property : UserProperty.values()) {
            JsonNode value = user.get(property.graphName());
            if (value.isNull() || (value.isArray() && value.isEmpty())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void fiftyUserSampleScopesSomeUsersInAndLeavesOthersOut() {
        Tenant tenant = sample(50, 42);
        String sales = idOf(tenant, "Sales");
        String engineering = idOf(tenant, "Engineering");
        String salesEmea = idOf(tenant, "Sales EMEA");
        String allStaff = idOf(tenant, "All Staff");

        assertThat(tenant.groups()).extracting(g -> g.get("displayName").asText())
                .containsExactlyInAnyOrder("Sales", "Sales EMEA", "Engineering", "All Staff");
        assertThat(tenant.memberIds(sales)).contains(salesEmea);
        assertThat(tenant.memberIds(salesEmea)).isNotEmpty();
        assertThat(tenant.memberIds(allStaff)).hasSize(50);

        List<String> assigned = tenant.assignedPrincipalIds();
        assertThat(assigned).contains(sales, engineering).doesNotContain(salesEmea, allStaff);
        Set<String> userIds = tenant.users().stream().map(u -> u.get("id").asText()).collect(Collectors.toSet());
        List<String> directlyAssigned = assigned.stream().filter(userIds::contains).toList();
        assertThat(directlyAssigned).hasSizeGreaterThanOrEqualTo(5);

        Set<String> inScope = new HashSet<>(directlyAssigned);
        inScope.addAll(tenant.memberIds(sales));
        inScope.addAll(tenant.memberIds(engineering));
        Set<String> outOfScope = new HashSet<>(userIds);
        outOfScope.removeAll(inScope);
        assertThat(outOfScope).hasSizeGreaterThanOrEqualTo(3)
                .containsAll(tenant.memberIds(salesEmea));
    }

    @Test
    void sampleUsersChangeAndDeleteLikeAnyOther() {
        Tenant tenant = sample(100, 5);
        String id = tenant.users().get(17).get("id").asText();
        String upn = tenant.users().get(17).get("userPrincipalName").asText();

        tenant.updateUser(id, Map.of("jobTitle", "Astronaut"));
        assertThat(tenant.user(id).orElseThrow().get("jobTitle").asText()).isEqualTo("Astronaut");
        assertThat(tenant.userByUpn(upn.toUpperCase()).orElseThrow().get("id").asText()).isEqualTo(id);

        tenant.hardDeleteUser(id);
        assertThat(tenant.user(id)).isEmpty();
        assertThat(tenant.userCount()).isEqualTo(99);
        String reused = tenant.addUser(Map.of("id", id, "displayName", "Same Id, New Person"));
        assertThat(tenant.user(reused).orElseThrow().get("displayName").asText()).isEqualTo("Same Id, New Person");
    }

    @Test
    void largeSampleKeepsGroupsAtRealisticSizes() {
        Tenant tenant = sample(100_000, 3);

        assertThat(tenant.userCount()).isEqualTo(100_000);
        assertThat(tenant.groups()).hasSizeGreaterThan(4).allSatisfy(group -> assertThat(
                tenant.memberIds(group.get("id").asText())).hasSizeBetween(100, SampleDirectory.MAX_GROUP_SIZE));
        assertThat(tenant.groupByName("Sales 2")).isPresent();
    }

    @Test
    void millionUserSampleBuildsAndResolvesUsersById() {
        Tenant tenant = sample(1_000_000, 99);

        assertThat(tenant.userCount()).isEqualTo(1_000_000);
        List<String> assigned = tenant.assignedPrincipalIds();
        assertThat(assigned).hasSizeGreaterThan(100_000);
        String someone = assigned.get(assigned.size() - 1);
        assertThat(tenant.user(someone)).hasValueSatisfying(user ->
                assertThat(user.get("userPrincipalName").asText()).endsWith("@contoso.example"));
        List<String> lastUsers = assigned.subList(assigned.size() - 100, assigned.size());
        assertThat(lastUsers).filteredOn(id -> tenant.managerId(id).isPresent()).hasSizeGreaterThan(90)
                .allSatisfy(id -> assertThat(tenant.user(tenant.managerId(id).orElseThrow())).isPresent());
    }
}
