package io.freshet.router.redrive;

import io.freshet.router.deadletter.DeadLetterFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /v1/admin/dlq/redrives}: the filter's texts, each optional. */
@RegisterForReflection // parsed from the request body by the resource itself, unseen by Quarkus: native keeps it
public record RedriveRequest(String tenant, String since, String reason) {

    /** @throws io.freshet.router.deadletter.InvalidFilterException what is wrong with one of them */
    public DeadLetterFilter filter() {
        return DeadLetterFilter.of(tenant, since, reason);
    }
}
