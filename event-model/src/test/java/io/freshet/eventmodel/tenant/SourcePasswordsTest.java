package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Database passwords in freshet.tenants: encrypted, decrypted by the right key only, keys rotated, old clear ones read. */
class SourcePasswordsTest {

    private static final String KEY = newKey();
    private final SourcePasswords passwords = new SourcePasswords(KEY, List.of());

    @Test
    void aPasswordComesBackAsItWasAndIsNeverStoredInClear() throws Exception {
        DatabaseSource stored = passwords.sealed("acme", source("hunter2:pä$$\u00e9", null));

        assertNull(stored.password());
        assertTrue(stored.encryptedPassword().startsWith("v1:"), stored.encryptedPassword());
        assertFalse(new ObjectMapper().registerModule(new JavaTimeModule()).writeValueAsString(stored).contains("hunter2"),
                "the JSON in the topic holds no clear password");
        assertEquals("hunter2:pä$$\u00e9", passwords.decrypt("acme", stored));
        assertNotEquals(passwords.encrypt("acme", "shop", "same"), passwords.encrypt("acme", "shop", "same"),
                "a new nonce each time");
    }

    @Test
    void anotherKeyDoesNotDecrypt() {
        DatabaseSource stored = passwords.sealed("acme", source("hunter2", null));

        var wrongKey = assertThrows(IllegalStateException.class, () -> new SourcePasswords(newKey(), List.of()).decrypt("acme", stored));
        assertTrue(wrongKey.getMessage().contains("neither FRESHET_SECRETS_KEY nor one of FRESHET_SECRETS_OLD_KEYS"), wrongKey.getMessage());
        assertFalse(wrongKey.getMessage().contains("hunter2"));
    }

    @Test
    void aPasswordCopiedToAnotherSourceOrAlteredDoesNotDecrypt() {
        String sealed = passwords.encrypt("acme", "shop", "secret");

        assertThrows(IllegalStateException.class, () -> passwords.decrypt("evil", source(null, sealed)), "another tenant");
        char last = sealed.charAt(sealed.length() - 2);
        String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThrows(IllegalStateException.class, () -> passwords.decrypt("acme", source(null, altered)));
    }

    @Test
    void aNewKeyTakesOverWhileTheOldOneStillDecrypts() {
        DatabaseSource underOld = passwords.sealed("acme", source("secret", null));
        String newKey = newKey();
        var rotated = new SourcePasswords(newKey, List.of(KEY));

        assertEquals("secret", rotated.decrypt("acme", underOld));
        DatabaseSource resealed = rotated.sealed("acme", underOld);
        assertNotEquals(underOld.encryptedPassword(), resealed.encryptedPassword(), "encrypted again under the new key");
        assertEquals("secret", new SourcePasswords(newKey, List.of()).decrypt("acme", resealed), "the new key alone reads it");
        assertThrows(IllegalStateException.class, () -> passwords.decrypt("acme", resealed), "the old key alone no longer does");
        assertEquals(resealed, rotated.sealed("acme", resealed), "nothing to do the next time");
    }

    @Test
    void aClearPasswordStoredBeforeIsReadAndEncryptedOnTheNextSave() {
        DatabaseSource legacy = source("secret", null);
        Tenant tenant = Tenant.create("acme", "Acme", "hash", Instant.EPOCH).withDatabase(legacy, Instant.EPOCH);

        assertEquals("secret", passwords.decrypt("acme", legacy));
        DatabaseSource saved = passwords.sealed(tenant).databases().getFirst();
        assertNull(saved.password());
        assertEquals("secret", passwords.decrypt("acme", saved));
        assertEquals(legacy.slotName("acme"), saved.slotName("acme"));
        Tenant none = Tenant.create("other", "Other", "hash", Instant.EPOCH);
        assertSame(none, passwords.sealed(none), "a tenant without databases is stored as it is");
    }

    @Test
    void aKeyThatIsNot32BytesOfBase64StopsTheStartWithoutShowingIt() {
        var notBase64 = assertThrows(IllegalArgumentException.class, () -> new SourcePasswords("not base64!", List.of()));
        assertTrue(notBase64.getMessage().startsWith("FRESHET_SECRETS_KEY is not base64"), notBase64.getMessage());
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        var tooShort = assertThrows(IllegalArgumentException.class, () -> new SourcePasswords(KEY, List.of(shortKey)));
        assertTrue(tooShort.getMessage().startsWith("FRESHET_SECRETS_OLD_KEYS holds 16 bytes"), tooShort.getMessage());
        assertFalse(tooShort.getMessage().contains(shortKey));
    }

    private static DatabaseSource source(String password, String encryptedPassword) {
        return new DatabaseSource("shop", "db.example.com", 5432, "shop", "cdc", password, encryptedPassword,
                List.of("public.orders"), false, Instant.EPOCH, null);
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
