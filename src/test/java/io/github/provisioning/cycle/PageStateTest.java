package io.github.provisioning.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.Link;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.Stores;
import io.github.provisioning.state.TestDatabase;
import io.github.provisioning.state.TestStores;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A delta page's state, read at once, answers what the single reads would, and leaves to them what it cannot
 * answer for the whole page: a user the page holds twice, and a manager who is on the page too.
 */
class PageStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestStores stores = new TestStores();

    private static SourceChange user(String id, String managerId) {
        ObjectNode graph = JSON.createObjectNode().put("id", id);
        if (managerId != null) {
            graph.putArray("manager@delta").addObject().put("id", managerId);
        }
        return SourceChange.present(graph);
    }

    private static Link link(String id) {
        return new Link(id, "scim-" + id, id + "@contoso.example", true, Map.of(), "c1", null, null);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void answersLinksScopeAndManagersAsTheStoreDoes(TestDatabase.Kind kind) {
        Stores state = stores.state(kind);
        state.links().save(ObjectType.USER, link("linked"));
        state.links().save(ObjectType.USER, link("boss"));
        state.scope().startNextScope();
        state.scope().addToNextScope(List.of("linked", "boss"));

        PageState page = PageState.read(state.links(), state.scope(),
                List.of(user("linked", "boss"), user("new", "peer"), user("peer", "elsewhere"),
                        new SourceChange("gone", null, SourceChange.Kind.HARD_DELETED)),
                true, true);

        assertThat(page.covers("linked")).isTrue();
        assertThat(page.link("linked")).contains(link("linked"));
        assertThat(page.link("new")).isEmpty();
        assertThat(page.link("gone")).isEmpty();
        assertThat(page.inScope("linked")).isTrue();
        assertThat(page.inScope("new")).isFalse();
        assertThat(page.covers("boss")).isFalse();
        // Managers not on the page: known, with or without a link. One on the page is provisioned meanwhile.
        assertThat(page.knowsManager("boss")).isTrue();
        assertThat(page.manager("boss")).contains(link("boss"));
        assertThat(page.knowsManager("elsewhere")).isTrue();
        assertThat(page.manager("elsewhere")).isEmpty();
        assertThat(page.knowsManager("peer")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aUserThePageHoldsTwiceIsLeftToTheSingleReads(TestDatabase.Kind kind) {
        Stores state = stores.state(kind);
        state.links().save(ObjectType.USER, link("twice"));

        PageState page = PageState.read(state.links(), state.scope(),
                List.of(user("twice", null), user("once", null), user("twice", null)), false, false);

        // The first occurrence's outcome is what the second must see: only the store has it.
        assertThat(page.covers("twice")).isFalse();
        assertThat(page.covers("once")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void withScopeAllEveryUserIsInScopeAndNoScopeIsRead(TestDatabase.Kind kind) {
        // No startNextScope(): reading the running scope would fail.
        Stores state = stores.state(kind);

        PageState page = PageState.read(state.links(), state.scope(), List.of(user("a", "m")), false, false);

        assertThat(page.inScope("a")).isTrue();
        assertThat(page.knowsManager("m")).isFalse();
    }
}
