package io.freshet.enricher.processing;

import io.freshet.eventmodel.deadletter.DeadLetterReason;

/**
 * The event itself cannot be enriched: no retry helps, it goes to the DLQ with this message as the reason. No stack
 * trace: the DLQ keeps class and message, and these come by the thousand when a tenant sends bad events.
 */
public abstract class RejectedEventException extends Exception {

    private final String tenantId;

    protected RejectedEventException(String tenantId, String message, Throwable cause) {
        super(message, cause, false, false);
        this.tenantId = tenantId;
    }

    /** The dead letter's reason code. */
    public abstract DeadLetterReason reason();

    /** The event's tenant, when it is known; null when the record was not readable enough to tell. */
    public String tenantId() {
        return tenantId;
    }
}
