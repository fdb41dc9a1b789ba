package io.github.provisioning.admin;

import io.github.provisioning.http.RetryPolicy;
import io.github.provisioning.mapping.UniquenessCheck;
import io.github.provisioning.scim.ScimCredentialsException;
import io.github.provisioning.scim.ScimRequest;
import io.github.provisioning.scim.ScimResponse;
import io.github.provisioning.scim.UserResources;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The expression tester's SelectUniqueValue check: each candidate is looked up in the SCIM target with the query a
 * cycle sends ({@code GET /Users?filter=<attribute> eq "<candidate>"}, escaped by {@link UserResources#matchQuery}),
 * through the engine's SCIM route, so the target's authentication, gate and timeouts apply. Throttling, server errors
 * and no answer are sent again as {@code scim.max-attempts} and the back-off settings say; any other failure, the
 * last of those, or no token for the target, is a {@link TargetUnavailableException}.
 */
public final class TargetUniquenessCheck {

    private final Function<ScimRequest, ScimResponse> scim;
    private final RetryPolicy retries;
    private final BooleanSupplier filters;

    /**
     * @param scim    sends one request through {@code direct:scim-exchange} and answers its response
     * @param filters whether the target can filter (false once its /ServiceProviderConfig says it cannot)
     */
    public TargetUniquenessCheck(Function<ScimRequest, ScimResponse> scim, RetryPolicy retries,
                                 BooleanSupplier filters) {
        this.scim = scim;
        this.retries = retries;
        this.filters = filters;
    }

    /** False when the target says it supports no filter: a cycle checks its listing, which the tester lacks. */
    public boolean canAsk() {
        return filters.getAsBoolean();
    }

    /** The check of values for one target attribute, e.g. {@code userName}. */
    public UniquenessCheck of(String attribute) {
        return value -> !held(attribute, value);
    }

    private boolean held(String attribute, String value) {
        ScimRequest request = ScimRequest.get("/Users", UserResources.matchQuery(attribute, value));
        String asked = "the SCIM target could not be asked whether " + attribute + " \"" + value + "\" is taken: ";
        for (int attempt = 1; ; attempt++) {
            ScimResponse response;
            try {
                response = scim.apply(request);
            } catch (ScimCredentialsException e) {
                // No token for the target (the token endpoint refused or did not answer).
                throw new TargetUnavailableException(asked + e.getMessage());
            }
            if (response.isSuccess()) {
                return UserResources.findsAny(response.body());
            }
            if (!response.isTransient()) {
                throw new TargetUnavailableException(asked + response.errorReason());
            }
            if (attempt >= retries.maxAttempts()) {
                throw new TargetUnavailableException(asked + "gave up after " + attempt + " attempts: "
                        + response.errorReason());
            }
            try {
                Thread.sleep(retries.delay(attempt, response.retryAfter()).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TargetUnavailableException(asked + "interrupted while waiting to ask again");
            }
        }
    }

    /** The target could not answer a uniqueness query; the tester answers 502 with this message. */
    public static final class TargetUnavailableException extends RuntimeException {
        public TargetUnavailableException(String message) {
            super(message);
        }
    }
}
