package io.github.provisioning.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests may skip admin.token: a GET of one of the status page's three files, by its exact raw path. */
class StatusPageTest {

    @ParameterizedTest
    @CsvSource({
        "GET, /, true",
        "GET, /page.css, true",
        "GET, /page.js, true",
        "HEAD, /, false",
        "POST, /, false",
        "GET, /index.html, false",
        "GET, /api/status, false",
        "GET, /page.js/../api/status, false",
        "GET, /%2e%2e/api/status, false",
        "GET, //api/status, false",
        "GET, /page.js;x, false",
        "GET, /PAGE.JS, false",
        "GET, '', false"
    })
    void onlyTheStatusPageFilesAreOpen(String method, String rawPath, boolean open) {
        assertThat(AdminAccess.isStatusPageFile(method, rawPath)).isEqualTo(open);
    }
}
