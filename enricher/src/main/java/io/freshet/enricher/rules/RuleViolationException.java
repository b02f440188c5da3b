package io.freshet.enricher.rules;

import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.enricher.processing.RejectedEventException;
import io.freshet.enricher.quality.Quality;

/** An event that breaks its tenant's validation rules; the message lists every broken rule. */
public class RuleViolationException extends RejectedEventException {

    private final transient Quality quality;

    public RuleViolationException(String tenantId, String message, Quality quality) {
        super(tenantId, message, null);
        this.quality = quality;
    }

    /** The checks the event went through, the broken ones among them. */
    public Quality quality() {
        return quality;
    }

    @Override
    public DeadLetterReason reason() {
        return DeadLetterReason.RULE_VIOLATION;
    }
}
