package io.freshet.router.replay;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.freshet.eventmodel.tenant.Tenant;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * What to store again: one tenant's events or all (tenant null), from the first record enriched at or after
 * {@code from}, or from offset {@code fromOffset} of every partition of freshet.events.enriched. Exactly one of the two.
 */
@RegisterForReflection // parsed from the request body by the resource itself, unseen by Quarkus: native keeps it
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReplayRequest(String tenant, Instant from, Long fromOffset) {

    /** @throws IllegalArgumentException what is wrong with it, for the operator */
    public void validate() {
        if ((from == null) == (fromOffset == null)) {
            throw new IllegalArgumentException("Give either 'from' (an ISO-8601 time) or 'from_offset' (a number), not both");
        }
        if (fromOffset != null && fromOffset < 0) {
            throw new IllegalArgumentException("'from_offset' is at least 0");
        }
        if (tenant != null && !Tenant.ID_PATTERN.matcher(tenant).matches()) {
            throw new IllegalArgumentException("'tenant' is not a tenant id");
        }
    }
}
