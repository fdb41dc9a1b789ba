package io.github.provisioning.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MappingTableTest {

    private static final MappingTable META = MappingTable.load("classpath:mappings/meta-work-accounts.yaml");

    @Test
    void metaWorkAccountsMapsTheEighteenAttributesOfTheSourceDocument() {
        assertThat(META.user().rules()).extracting(MappingRule::target).containsExactly(
                "userName", "externalId", "active", "title", "emails[type eq \"work\"].value", "preferredLanguage",
                "name.givenName", "name.familyName", "name.formatted", "addresses[type eq \"work\"].formatted",
                "addresses[type eq \"work\"].streetAddress", "addresses[type eq \"work\"].locality",
                "addresses[type eq \"work\"].region", "addresses[type eq \"work\"].postalCode",
                "addresses[type eq \"work\"].country", "phoneNumbers[type eq \"work\"].value",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");
        assertThat(META.user().matchingRules()).extracting(MappingRule::target).containsExactly("userName");
    }

    @Test
    void metaWorkAccountsUsesEntrasDefaultSources() {
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "adele@contoso.example");
        user.put("mailNickname", "adele");
        user.put("IsSoftDeleted", false);
        user.put("givenName", "Adele");
        user.put("surname", "Vance");
        user.put("telephoneNumber", "+1 555 0100");
        user.put("physicalDeliveryOfficeName", "18/2111");
        user.put("employeeId", "E100");
        var values = META.user().valuesForCreate(user::get);
        assertThat(values).containsEntry("userName", TextNode.valueOf("adele@contoso.example"))
                .containsEntry("externalId", TextNode.valueOf("adele"))
                .containsEntry("active", BooleanNode.TRUE)
                .containsEntry("name.formatted", TextNode.valueOf("Adele Vance"))
                .containsEntry("phoneNumbers[type eq \"work\"].value", TextNode.valueOf("+1 555 0100"))
                .containsEntry("addresses[type eq \"work\"].formatted", TextNode.valueOf("18/2111"))
                .containsEntry("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                        TextNode.valueOf("E100"))
                // Entra: null values are never provisioned
                .doesNotContainKey("title").doesNotContainKey("emails[type eq \"work\"].value");
        assertThat(META.user().sourceAttributes()).contains("userPrincipalName", "IsSoftDeleted", "telephoneNumber");
    }

    @Test
    void genericScimUsesEntrasDefaultCustomAppMapping() {
        MappingTable generic = MappingTable.load("classpath:mappings/generic-scim.yaml");
        Map<String, Object> user = new HashMap<>();
        user.put("userPrincipalName", "adele@contoso.example");
        user.put("IsSoftDeleted", false);
        user.put("mobile", "+1 555 0101");
        user.put("facsimileTelephoneNumber", "+1 555 0102");
        user.put("displayName", "Adele Vance");
        var values = generic.user().valuesForCreate(user::get);
        assertThat(values).containsEntry("active", BooleanNode.TRUE)
                .containsEntry("displayName", TextNode.valueOf("Adele Vance"))
                .containsEntry("phoneNumbers[type eq \"mobile\"].value", TextNode.valueOf("+1 555 0101"))
                .containsEntry("phoneNumbers[type eq \"fax\"].value", TextNode.valueOf("+1 555 0102"));
        user.put("IsSoftDeleted", true);
        assertThat(generic.user().valuesForCreate(user::get)).containsEntry("active", BooleanNode.FALSE);
        assertThat(generic.group().rules()).extracting(MappingRule::target)
                .containsExactly("displayName", "externalId", "members");
        assertThat(generic.group().matchingRules()).extracting(MappingRule::target).containsExactly("displayName");
        assertThat(META.group()).as("Meta Work Accounts has no groups").isNull();
    }

    @Test
    void theGroupSectionIsCheckedLikeTheUserSection() {
        assertThatThrownBy(() -> MappingTable.parse("g.yaml", """
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                group:
                  mappings:
                    - {target: displayName, source: displayName}
                """)).isInstanceOf(MappingException.class).hasMessageContaining("g.yaml:6: no matching attribute");
    }

    @Test
    void defaultsAndOnCreateMappingsApplyOnCreateOnly() {
        MappingTable table = MappingTable.parse("t.yaml", """
                user:
                  mappings:
                    - {target: userName, source: userPrincipalName, match: 1}
                    - {target: title, source: jobTitle, default: Staff}
                    - {target: nickName, source: mailNickname, apply: on-create}
                """);
        Map<String, Object> user = Map.of("userPrincipalName", "a@b", "mailNickname", "a");
        assertThat(table.user().valuesForCreate(user::get)).containsEntry("title", TextNode.valueOf("Staff"))
                .containsEntry("nickName", TextNode.valueOf("a"));
        assertThat(table.user().valuesForUpdate(user::get)).doesNotContainKeys("title", "nickName");
        assertThat(table.user().updatedTargets()).containsExactly("userName", "title");
    }

    @Test
    void selectUniqueValueRowsAreChosenOnCreateAndLeftAloneOnUpdate() {
        MappingTable table = MappingTable.parse("t.yaml", """
                user:
                  mappings:
                    - {target: externalId, source: objectId, match: 1}
                    - target: userName
                      expression: 'SelectUniqueValue([mailNickname], Join("@", [mailNickname], "x"), [missing])'
                """);
        MappingRule rule = table.user().uniqueValueRules().get(0);
        Map<String, Object> user = Map.of("objectId", "1", "mailNickname", "ann");

        assertThat(rule.target()).isEqualTo("userName");
        assertThat(table.user().uniqueValueCandidates(rule, user::get)).containsExactly("ann", "ann@x");
        assertThat(table.user().valuesForCreate(user::get)).containsEntry("userName", TextNode.valueOf("ann"));
        assertThat(table.user().valuesForUpdate(user::get)).doesNotContainKey("userName");
        assertThat(table.user().updatedTargets()).containsExactly("externalId");
    }

    @Test
    void selectUniqueValueIsTheWholeExpressionAndNeverAMatchingAttribute() {
        assertThatThrownBy(() -> MappingTable.parse("t.yaml", """
                user:
                  mappings:
                    - {target: externalId, source: objectId, match: 1}
                    - {target: userName, expression: 'ToLower(SelectUniqueValue([a], [b]))'}
                """)).isInstanceOf(MappingException.class)
                .hasMessageContaining("t.yaml:4: invalid expression: SelectUniqueValue must be at the top level");
        assertThatThrownBy(() -> MappingTable.parse("t.yaml", """
                user:
                  mappings:
                    - {target: userName, expression: 'SelectUniqueValue([a], [b])', match: 1}
                """)).isInstanceOf(MappingException.class)
                .hasMessageContaining("t.yaml:3: a SelectUniqueValue mapping cannot be a matching attribute");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "user:\\n  mappings:\\n    - {target: userName, source: upn, match: 1}\\n    - {target: title, source: a, colour: red}|t.yaml:4: unknown key 'colour'",
            "user:\\n  mappings:\\n    - {target: userName, source: upn}|t.yaml:3: no matching attribute",
            "user:\\n  mappings:\\n    - {target: userName, source: upn, match: 1}\\n    - {target: title, expression: 'Nope([a])'}|t.yaml:4: invalid expression: Unknown function 'Nope' at position 0",
            "user:\\n  mappings:\\n    - {target: userName, source: upn, match: 1}\\n    - {target: userName, source: mail}|t.yaml:4: target 'userName' is written by more than one mapping",
            "user:\\n  mappings:\\n    - {target: userName, source: upn, constant: x, match: 1}|t.yaml:3: mapping for 'userName' needs exactly one of source, constant, expression or none",
            "user:\\n  mappings:\\n    - {target: userName, source: upn, match: first}|t.yaml:3: match must be a precedence number",
            "user:\\n  mappings:\\n    - {target: userName, source: upn, match: 1, apply: sometimes}|t.yaml:3: apply must be 'always' or 'on-create'",
            "user:\\n  mappings:\\n    - {target: 'emails[type eq', source: mail, match: 1}|t.yaml:3: 'emails[type eq' is not a SCIM attribute path: Invalid value filter",
            "groups: {}|t.yaml:1: unknown key 'groups'",
            "user:\\n  actions: {create: yes}\\n  mappings: []|t.yaml:2: true or false expected"})
    void mistakesNameTheFileAndLine(String yaml, String message) {
        assertThatThrownBy(() -> MappingTable.parse("t.yaml", yaml.replace("\\n", "\n")))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theFingerprintChangesWithTheContent() {
        String a = "user:\n  mappings:\n    - {target: userName, source: upn, match: 1}\n";
        assertThat(MappingTable.parse("a", a).fingerprint()).isEqualTo(MappingTable.parse("b", a).fingerprint())
                .isNotEqualTo(MappingTable.parse("a", a + "    - {target: title, source: t}\n").fingerprint());
    }
}
