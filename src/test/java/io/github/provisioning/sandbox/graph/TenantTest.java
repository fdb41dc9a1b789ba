package io.github.provisioning.sandbox.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantTest {

    private final Tenant tenant = new Tenant();

    @Test
    void addedUserGetsAGuidAndDefaults() {
        String id = tenant.addUser(Map.of("displayName", "Adele Vance"));

        ObjectNode user = tenant.user(id).orElseThrow();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(user.get("accountEnabled").asBoolean()).isTrue();
        assertThat(user.get("businessPhones").isArray()).isTrue();
        assertThat(user.get("mail").isNull()).isTrue();
    }

    @Test
    void nullValueClearsAPropertyAndEmptiesACollection() {
        String id = tenant.addUser(Map.of("displayName", "Alex Wilber", "mobilePhone", "+1 425 555 0109",
                "businessPhones", List.of("+1 425 555 0100")));
        Map<String, Object> clear = new HashMap<>();
        clear.put("mobilePhone", null);
        clear.put("businessPhones", null);

        tenant.updateUser(id, clear);

        ObjectNode user = tenant.user(id).orElseThrow();
        assertThat(user.get("mobilePhone").isNull()).isTrue();
        assertThat(user.get("businessPhones")).isEmpty();
    }

    @Test
    void unknownPropertyOrWrongTypeIsRejected() {
        assertThatThrownBy(() -> tenant.addUser(Map.of("shoeSize", "42")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shoeSize");
        assertThatThrownBy(() -> tenant.addUser(Map.of("accountEnabled", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accountEnabled");
    }

    @Test
    void takenIdIsRejected() {
        String id = tenant.addUser(Map.of("displayName", "First"));

        assertThatThrownBy(() -> tenant.addUser(Map.of("id", id))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deletedUsersCannotChangeUntilRestored() {
        String id = tenant.addUser(Map.of("displayName", "Grady Archie"));
        tenant.softDeleteUser(id);

        assertThatThrownBy(() -> tenant.updateUser(id, Map.of("jobTitle", "x")))
                .isInstanceOf(NoSuchElementException.class);
        tenant.restoreUser(id);
        tenant.updateUser(id, Map.of("jobTitle", "Designer"));
        assertThat(tenant.user(id).orElseThrow().get("jobTitle").asText()).isEqualTo("Designer");
    }

    @Test
    void assignmentPrincipalMayBeAUserOrAGroupAndAssigningTwiceKeepsOneAssignment() {
        String user = tenant.addUser(Map.of("displayName", "Lynne Robbins"));
        String group = tenant.addGroup("Retail");

        String first = tenant.assign(user);
        String again = tenant.assign(user);
        tenant.assign(group);

        assertThat(again).isEqualTo(first);
        assertThat(first).matches("[A-Za-z0-9_-]{43}")
                .doesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(tenant.assignedPrincipalIds()).containsExactly(user, group);
        tenant.unassign(user);
        assertThat(tenant.assignedPrincipalIds()).containsExactly(group);
    }

    @Test
    void nestedGroupIsADirectMemberAndAGroupCannotContainItself() {
        String parent = tenant.addGroup("Sales");
        String child = tenant.addGroup(Map.of("displayName", "Sales EMEA", "description", "Europe"));
        String user = tenant.addUser(Map.of("displayName", "Johanna Lorenz"));
        tenant.addMember(child, user);

        tenant.addMember(parent, child);
        tenant.addMember(parent, child);

        assertThat(tenant.memberIds(parent)).containsExactly(child);
        assertThatThrownBy(() -> tenant.addMember(parent, parent)).isInstanceOf(IllegalArgumentException.class);
        tenant.removeMember(parent, child);
        assertThat(tenant.memberIds(parent)).isEmpty();
    }

    @Test
    void hardDeletedGroupLeavesItsParentsAndItsAssignment() {
        String parent = tenant.addGroup("All Staff");
        String child = tenant.addGroup("Engineering");
        tenant.addMember(parent, child);
        tenant.assign(child);

        tenant.hardDeleteGroup(child);

        assertThat(tenant.memberIds(parent)).isEmpty();
        assertThat(tenant.assignedPrincipalIds()).isEmpty();
        assertThat(tenant.group(child)).isEmpty();
    }

    @Test
    void managerIsSetReadAndCleared() {
        String manager = tenant.addUser(Map.of("displayName", "Patti Fernandez"));
        String report = tenant.addUser(Map.of("displayName", "Alex Wilber"));

        assertThat(tenant.managerId(report)).isEmpty();
        tenant.setManager(report, manager);
        assertThat(tenant.managerId(report)).contains(manager);
        assertThat(tenant.managerId(manager)).isEmpty();
        tenant.setManager(report, null);
        assertThat(tenant.managerId(report)).isEmpty();
    }

    @Test
    void managerMustBeAnotherLiveUser() {
        String user = tenant.addUser(Map.of("displayName", "Lee Gu"));
        String gone = tenant.addUser(Map.of("displayName", "Gone"));
        String group = tenant.addGroup("Retail");
        tenant.softDeleteUser(gone);

        assertThatThrownBy(() -> tenant.setManager(user, user)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tenant.setManager(user, gone)).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> tenant.setManager(user, group)).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> tenant.setManager(gone, user)).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> tenant.managerId(gone)).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void softDeletedManagerIsHiddenFromItsReportsUntilRestoredAndHardDeletedOneIsGoneForGood() {
        String manager = tenant.addUser(Map.of("displayName", "Patti Fernandez"));
        String report = tenant.addUser(Map.of("displayName", "Alex Wilber"));
        tenant.setManager(report, manager);

        tenant.softDeleteUser(manager);
        assertThat(tenant.managerId(report)).isEmpty();
        tenant.restoreUser(manager);
        assertThat(tenant.managerId(report)).contains(manager);
        tenant.softDeleteUser(manager);
        tenant.hardDeleteUser(manager);
        assertThat(tenant.managerId(report)).isEmpty();
    }

    @Test
    void sampleUserKeepsANewManagerThroughItsOldManagersDeletion() {
        tenant.populateSample(200, 4);
        List<String> ids = tenant.users().stream().map(u -> u.get("id").asText()).toList();
        String report = ids.stream().filter(id -> tenant.managerId(id).isPresent()).findFirst().orElseThrow();
        String oldManager = tenant.managerId(report).orElseThrow();
        String newManager = ids.stream().filter(id -> !id.equals(report) && !id.equals(oldManager))
                .findFirst().orElseThrow();

        tenant.setManager(report, newManager);
        tenant.hardDeleteUser(oldManager);

        assertThat(tenant.managerId(report)).contains(newManager);
    }

    @Test
    void aTenantHoldsOneSample() {
        tenant.populateSample(10, 1);

        assertThatThrownBy(() -> tenant.populateSample(10, 2)).isInstanceOf(IllegalStateException.class);
    }
}
