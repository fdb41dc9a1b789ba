package io.github.provisioning.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ScimRequestTimerTest {

    private static final ScimRequest REQUEST = ScimRequest.get("/Users", null);
    private static final ScimResponse RESPONSE = new ScimResponse(200, null, null);

    @Test
    void eachJobTimesItsRequestsInASeriesOfItsOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ScimRequestTimer hr = new ScimRequestTimer(registry, "hr");
        ScimRequestTimer sales = new ScimRequestTimer(registry, "sales");

        hr.record(REQUEST, System.nanoTime(), RESPONSE);
        hr.record(REQUEST, System.nanoTime(), RESPONSE);
        sales.record(REQUEST, System.nanoTime(), RESPONSE);

        assertThat(registry.get("provisioning.scim.requests").tags("job", "hr", "method", "GET", "status", "200")
                .timer().count()).isEqualTo(2);
        assertThat(registry.get("provisioning.scim.requests").tags("job", "sales", "method", "GET", "status", "200")
                .timer().count()).isEqualTo(1);
    }
}
