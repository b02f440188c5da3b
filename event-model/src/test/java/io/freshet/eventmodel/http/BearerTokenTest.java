package io.freshet.eventmodel.http;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BearerTokenTest {

    @Test
    void readsTheTokenOfABearerHeader() {
        assertEquals(Optional.of("abc"), BearerToken.from("Bearer abc"));
        assertEquals(Optional.of("abc"), BearerToken.from("bearer   abc "));
    }

    @Test
    void refusesOtherSchemesAndEmptyTokens() {
        assertEquals(Optional.empty(), BearerToken.from(null));
        assertEquals(Optional.empty(), BearerToken.from("Basic abc"));
        assertEquals(Optional.empty(), BearerToken.from("Bearer "));
        assertEquals(Optional.empty(), BearerToken.from("Bearer    "));
        assertEquals(Optional.empty(), BearerToken.from("Bearerabc"));
    }
}
