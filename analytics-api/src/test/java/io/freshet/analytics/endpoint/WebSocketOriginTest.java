package io.freshet.analytics.endpoint;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WebSocketOriginTest {

    @Test
    void aClientThatIsNoBrowserSendsNoOriginAndNeedsNone() {
        assertEquals(Optional.empty(), WebSocketOrigin.foreign(null, "http", "127.0.0.1:8083"));
    }

    @Test
    void aPageOfTheApisOwnOriginNeedsNoTenantsLeave() {
        assertEquals(Optional.empty(), WebSocketOrigin.foreign("http://127.0.0.1:8083", "http", "127.0.0.1:8083"));
    }

    @Test
    void aPageOfAnotherOriginMustBeAllowed() {
        assertEquals(Optional.of("https://shop.example"), WebSocketOrigin.foreign("https://shop.example", "http", "127.0.0.1:8083"));
        // another port or scheme is another origin
        assertEquals(Optional.of("http://127.0.0.1:9999"), WebSocketOrigin.foreign("http://127.0.0.1:9999", "http", "127.0.0.1:8083"));
        assertEquals(Optional.of("https://127.0.0.1:8083"), WebSocketOrigin.foreign("https://127.0.0.1:8083", "http", "127.0.0.1:8083"));
    }

    @Test
    void anOpaqueOriginOrAMissingHostIsForeign() {
        // sandboxed frames and file:// pages send "null"
        assertEquals(Optional.of("null"), WebSocketOrigin.foreign("null", "http", "127.0.0.1:8083"));
        assertEquals(Optional.of("http://127.0.0.1:8083"), WebSocketOrigin.foreign("http://127.0.0.1:8083", "http", null));
    }
}
