package io.freshet.eventmodel.tenant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    @Test
    void generatedKeysAreLongRandomAndPrefixed() {
        String a = ApiKeys.generate();
        String b = ApiKeys.generate();
        assertTrue(a.startsWith("fsk_"));
        assertEquals(4 + 43, a.length(), "32 random bytes in unpadded base64url");
        assertNotEquals(a, b);
    }

    @Test
    void aKeyHasItsOwnStableHash() {
        String key = ApiKeys.generate();
        String hash = ApiKeys.hash(key);
        assertEquals(64, hash.length());
        assertFalse(hash.contains(key.substring(4, 12)), "the hash does not reveal the key");
        assertEquals(hash, ApiKeys.hash(key), "the same key always has the same hash");
        assertNotEquals(hash, ApiKeys.hash(ApiKeys.generate()));
    }
}
