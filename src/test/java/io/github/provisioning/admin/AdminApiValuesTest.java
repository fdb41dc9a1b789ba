package io.github.provisioning.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.provisioning.mapping.DateTimeValue;
import io.github.provisioning.mapping.Ignored;
import io.github.provisioning.mapping.Redacted;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every kind of value an expression evaluates to (Expression#evaluate's contract) becomes a tester answer that
 * plain Jackson writes, as the admin-reply route does: no value can make the tester answer 500.
 */
class AdminApiValuesTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final DateTimeValue DATE = DateTimeValue.utc(LocalDateTime.of(2025, 1, 15, 15, 4, 5));

    @Test
    void everyKindOfValueIsAnsweredAsEntraShowsIt() throws Exception {
        assertThat(written("text")).isEqualTo("{\"value\":\"text\"}");
        assertThat(written(true)).isEqualTo("{\"value\":\"True\"}");
        assertThat(written(-3449L)).isEqualTo("{\"value\":\"-3449\"}");
        assertThat(written(DATE)).isEqualTo("{\"value\":\"1/15/2025 3:04:05 PM\"}");
        assertThat(written(null)).isEqualTo("{\"value\":null}");
        assertThat(written(Arrays.asList("a", DATE, null, false)))
                .isEqualTo("{\"value\":[\"a\",\"1/15/2025 3:04:05 PM\",null,\"False\"]}");
        assertThat(written(List.of(Map.of("primary", false, "value", "Admin"))))
                .isIn("{\"value\":[{\"primary\":false,\"value\":\"Admin\"}]}",
                        "{\"value\":[{\"value\":\"Admin\",\"primary\":false}]}");
        assertThat(written(Ignored.INSTANCE)).isEqualTo("{\"value\":null,\"ignored\":true}");
        assertThat(written(new Redacted(DATE))).isEqualTo("{\"value\":\"1/15/2025 3:04:05 PM\",\"redacted\":true}");
        assertThat(written(new Redacted(List.of("a", "b")))).isEqualTo("{\"value\":[\"a\",\"b\"],\"redacted\":true}");
    }

    private static String written(Object value) throws Exception {
        return JACKSON.writeValueAsString(AdminApi.shown(value));
    }
}
