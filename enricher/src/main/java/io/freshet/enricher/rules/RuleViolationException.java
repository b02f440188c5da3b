package io.freshet.enricher.rules;

import io.freshet.enricher.processing.RejectedEventException;
import io.freshet.enricher.quality.Quality;

/** An event that breaks its tenant's validation rules; the message lists every broken rule. */
public class RuleViolationException extends RejectedEventException {

    private final String tenantId;
    private final transient Quality quality;

    public RuleViolationException(String tenantId, String message, Quality quality) {
        super(message, null);
        this.tenantId = tenantId;
        this.quality = quality;
    }

    public String tenantId() {
        return tenantId;
    }

    /** The checks the event went through, the broken ones among them. */
    public Quality quality() {
        return quality;
    }
}
