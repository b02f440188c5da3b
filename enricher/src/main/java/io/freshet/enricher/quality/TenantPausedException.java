package io.freshet.enricher.quality;

import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.enricher.processing.RejectedEventException;

/** An event of a tenant whose circuit breaker is open: it waits in the DLQ, replayable, instead of being enriched. */
public class TenantPausedException extends RejectedEventException {

    public TenantPausedException(TenantCircuitBreaker.Opening opening) {
        super(opening.tenantId(), opening.reason(), null);
    }

    @Override
    public DeadLetterReason reason() {
        return DeadLetterReason.TENANT_PAUSED;
    }
}
