package io.github.provisioning.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GraphResponsesTest {

    private final GraphResponses responses = new GraphResponses();

    private static InputStream json(String text) {
        return new ByteArrayInputStream(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAssignmentsPageGivesEachPrincipalWithItsTypeAndRoleAndTheNextLink() {
        PrincipalPage page = responses.principalPage(200, json("""
                {'@odata.context': 'https://graph/$metadata#x', 'value': [
                  {'id': 'a1', 'deletedDateTime': null, 'appRoleId': 'r1', 'principalDisplayName': 'Lee',
                   'principalId': 'u1', 'principalType': 'User', 'extra': {'nested': [1, {'principalId': 'no'}]}},
                  {'principalType': 'Group', 'principalId': 'g1', 'appRoleId': null}],
                 '@odata.nextLink': 'https://graph/next?$skiptoken=x'}"""));

        assertThat(page.principals()).containsExactly(new GraphResponses.Principal("u1", "User", "r1"),
                new GraphResponses.Principal("g1", "Group", null));
        assertThat(page.nextLink()).isEqualTo("https://graph/next?$skiptoken=x");
        assertThat(page.principals().get(1).isGroup()).isTrue();
    }

    @Test
    void aMembersPageGivesEachMemberByIdAndODataTypeAUserWhenTheTypeIsMissing() {
        PrincipalPage page = responses.principalPage(200, json("""
                {'value': [{'@odata.type': '#microsoft.graph.group', 'id': 'g2'}, {'id': 'u2'},
                           {'@odata.type': '#microsoft.graph.user', 'id': 'u3', 'mail': 'x@y'}]}"""));

        assertThat(page.principals()).extracting(p -> p.id() + ":" + p.type())
                .containsExactly("g2:group", "u2:user", "u3:user");
        assertThat(page.nextLink()).isNull();
        PrincipalPage noBody = responses.principalPage(200, null);
        assertThat(noBody.principals()).isEmpty();
        assertThat(noBody.nextLink()).isNull();
    }

    @Test
    void anErrorAnEntryWithoutIdOrAnAnswerThatIsNotJsonIsAGraphException() {
        assertThatThrownBy(() -> responses.principalPage(403, json(
                "{'error': {'code': 'Authorization_RequestDenied', 'message': 'no'}}")))
                .isInstanceOf(GraphException.class)
                .satisfies(e -> assertThat(((GraphException) e).status()).isEqualTo(403))
                .satisfies(e -> assertThat(((GraphException) e).code()).isEqualTo("Authorization_RequestDenied"));
        assertThatThrownBy(() -> responses.principalPage(200, json("{'value': [{'mail': 'x@y'}]}")))
                .isInstanceOf(GraphException.class).hasMessageContaining("an entry has no id");
        assertThatThrownBy(() -> responses.principalPage(200, json("{'value': ['u1']}")))
                .isInstanceOf(GraphException.class).hasMessageContaining("an entry is not a JSON object");
        assertThatThrownBy(() -> responses.principalPage(200, json("{'value': {'id': 'u1'}}")))
                .isInstanceOf(GraphException.class).hasMessageContaining("value is not an array");
        assertThatThrownBy(() -> responses.principalPage(200, json("<html>busy</html>")))
                .isInstanceOf(GraphException.class)
                .satisfies(e -> assertThat(((GraphException) e).code()).isEqualTo("UnreadableResponse"));
        assertThatThrownBy(() -> responses.principalPage(200, json("{'value': [{'id': 'u1'}")))
                .isInstanceOf(GraphException.class)
                .satisfies(e -> assertThat(((GraphException) e).code()).isEqualTo("UnreadableResponse"));
    }
}
