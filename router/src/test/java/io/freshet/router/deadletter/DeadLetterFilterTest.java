package io.freshet.router.deadletter;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterFilterTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void blankTextsMeanAny() {
        DeadLetterFilter any = DeadLetterFilter.of(" ", "", null);
        assertEquals(new DeadLetterFilter(null, null, null), any);
        assertTrue(any.matches(Letters.router(null, "x", null, 0)), "even a letter without tenant and time");
    }

    @Test
    void sinceIsAnIso8601TimeWithAnOffset() {
        assertEquals(T, DeadLetterFilter.of(null, "2026-03-01T10:00:00Z", null).since());
        assertEquals(T, DeadLetterFilter.of(null, "2026-03-01T12:00+02:00", null).since());
        var noOffset = assertThrows(InvalidFilterException.class, () -> DeadLetterFilter.of(null, "2026-03-01T10:00:00", null));
        assertEquals("invalid_since", noOffset.code());
        var words = assertThrows(InvalidFilterException.class, () -> DeadLetterFilter.of(null, "yesterday", null));
        assertTrue(words.getMessage().contains("ISO-8601") && words.getMessage().contains("'yesterday'"), words.getMessage());
    }

    @Test
    void reasonIsACodeOrUnknown() {
        assertEquals("rule_violation", DeadLetterFilter.of(null, null, "rule_violation").reason());
        assertEquals("unknown", DeadLetterFilter.of(null, null, "unknown").reason());
        var wrong = assertThrows(InvalidFilterException.class, () -> DeadLetterFilter.of(null, null, "RULE_VIOLATION"));
        assertEquals("invalid_reason", wrong.code());
        assertTrue(wrong.getMessage().contains("invalid_event, rule_violation"), wrong.getMessage());
    }

    @Test
    void tenantIsATenantId() {
        assertEquals("invalid_tenant", assertThrows(InvalidFilterException.class,
                () -> DeadLetterFilter.of("Acme'; DROP", null, null)).code());
    }

    @Test
    void aLetterMatchesWhenEveryGivenPartDoes() {
        var letter = Letters.enricher("acme", "rule_violation", "{}", T, 3);
        assertTrue(DeadLetterFilter.of("acme", "2026-03-01T10:00:00Z", "rule_violation").matches(letter), "since is inclusive");
        assertFalse(DeadLetterFilter.of("other", null, null).matches(letter));
        assertFalse(DeadLetterFilter.of(null, "2026-03-01T10:00:00.001Z", null).matches(letter));
        assertFalse(DeadLetterFilter.of(null, null, "tenant_paused").matches(letter));
        assertFalse(DeadLetterFilter.of(null, "2026-03-01T09:00:00Z", null).matches(Letters.router("acme", "x", null, 0)),
                "a letter without a time is not known to be since then");
        assertNull(DeadLetterFilter.of(null, null, null).tenant());
    }
}
