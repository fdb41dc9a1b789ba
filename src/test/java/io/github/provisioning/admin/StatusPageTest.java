package io.github.provisioning.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which requests may skip admin.token: a GET of one of the status page's three files, by its exact raw path; and
 * which are refused whatever they carry: writes from a web page of another origin.
 */
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

    @ParameterizedTest
    @CsvSource({
        "POST, http://127.0.0.1:8080, 127.0.0.1:8080, false",
        "POST, HTTP://127.0.0.1:8080, 127.0.0.1:8080, false",
        "POST, https://admin.example, admin.example, false",
        "POST, , 127.0.0.1:8080, false",
        "GET, http://attacker.example, 127.0.0.1:8080, false",
        "HEAD, http://attacker.example, 127.0.0.1:8080, false",
        "OPTIONS, http://attacker.example, 127.0.0.1:8080, false",
        "POST, http://attacker.example, 127.0.0.1:8080, true",
        "DELETE, http://attacker.example, 127.0.0.1:8080, true",
        "POST, null, 127.0.0.1:8080, true",
        "POST, http://127.0.0.1:8081, 127.0.0.1:8080, true",
        "POST, http://127.0.0.1:8080.evil, 127.0.0.1:8080, true",
        "POST, http://127.0.0.1:8080, , true"
    })
    void aWriteFromAnotherOriginIsCrossSite(String method, String origin, String host, boolean crossSite) {
        assertThat(AdminAccess.isCrossSiteWrite(method, origin, host)).isEqualTo(crossSite);
    }
}
