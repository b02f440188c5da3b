package io.freshet.router.deadletter;

import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LetterReasonTest {

    @Test
    void aLetterSaysItsReason() {
        assertEquals("tenant_deleted", LetterReason.of(letter("tenant_deleted", "io.freshet.enricher.processing.UnknownTenantException")));
    }

    @Test
    void anOlderLettersReasonComesFromItsErrorClass() {
        assertEquals("rule_violation", LetterReason.of(letter(null, "io.freshet.enricher.rules.RuleViolationException")));
        assertEquals("invalid_event", LetterReason.of(letter(null, "io.freshet.enricher.processing.InvalidRawEventException")));
        assertEquals("tenant_paused", LetterReason.of(letter(null, "io.freshet.enricher.quality.TenantPausedException")));
        assertEquals("unknown_tenant", LetterReason.of(letter(null, "io.freshet.enricher.processing.UnknownTenantException")));
        assertEquals("row_refused", LetterReason.of(letter(null, "ClickHouseRejectedRow")));
    }

    @Test
    void otherwiseItIsUnknown() {
        assertEquals("unknown", LetterReason.of(letter(null, "java.lang.IllegalStateException")));
        assertEquals("unknown", LetterReason.of(letter(null, null)));
    }

    @Test
    void aFilterTakesTheCodesAndUnknown() {
        assertTrue(LetterReason.isCode("processing_failed"));
        assertTrue(LetterReason.isCode("unknown"));
        assertFalse(LetterReason.isCode("Processing_Failed"));
        assertFalse(LetterReason.isCode(null));
    }

    private static DeadLetter letter(String reason, String errorClass) {
        return new DeadLetter("{}", "acme", "enricher", reason, errorClass, "why", 1, Topics.RAW, 0, 0, null);
    }
}
