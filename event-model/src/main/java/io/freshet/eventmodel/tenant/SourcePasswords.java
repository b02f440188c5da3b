package io.freshet.eventmodel.tenant;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Database sources' passwords as freshet.tenants keeps them: encrypted with AES-256-GCM under the secrets key
 * ({@value #KEY_VARIABLE}), so whoever reads the topic or a copy of it learns no tenant's database password. The admin
 * API encrypts, the sources service decrypts; no other service holds the key.
 * <p>
 * An encrypted password reads {@code v1:<key id>:<base64url(nonce, ciphertext and tag)>}, with a random 12-byte nonce.
 * The key id (a digest of the key, no secret) names the key, so a new key can take over while the old ones, in
 * {@value #OLD_KEYS_VARIABLE}, still decrypt. The tenant and source are authenticated with it: a value copied into
 * another source does not decrypt.
 */
public final class SourcePasswords {

    public static final String KEY_VARIABLE = "FRESHET_SECRETS_KEY";
    public static final String OLD_KEYS_VARIABLE = "FRESHET_SECRETS_OLD_KEYS";
    private static final String VERSION = "v1";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Key(String id, SecretKeySpec secret) {
    }

    private final Key current;
    /** Every key a password may be encrypted with, by id: the current one and the old ones. */
    private final Map<String, Key> keys = new LinkedHashMap<>();

    /**
     * @param key     the base64 of 32 random bytes, which encrypts
     * @param oldKeys keys that encrypted before it: they still decrypt
     * @throws IllegalArgumentException naming the setting (never its value) when a key is not 32 bytes in base64
     */
    public SourcePasswords(String key, List<String> oldKeys) {
        current = key(key, KEY_VARIABLE);
        keys.put(current.id(), current);
        for (String old : oldKeys) {
            Key oldKey = key(old, OLD_KEYS_VARIABLE);
            Key known = keys.putIfAbsent(oldKey.id(), oldKey);
            if (known != null && !known.secret().equals(oldKey.secret())) {
                throw new IllegalArgumentException("Two secrets keys have the same id " + oldKey.id() + ": make a new key");
            }
        }
    }

    /** This password encrypted under the current key, for this tenant's source only. */
    public String encrypt(String tenantId, String sourceName, String password) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current.secret(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context(tenantId, sourceName));
            byte[] encrypted = cipher.doFinal(password.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + encrypted.length);
            System.arraycopy(encrypted, 0, sealed, NONCE_BYTES, encrypted.length);
            return VERSION + ":" + current.id() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * The source's password in clear, for its connection.
     *
     * @throws IllegalStateException saying why (never with the password) when it does not decrypt: a key that is not
     *                               configured, another key than it was encrypted with, or an altered record
     */
    public String decrypt(String tenantId, DatabaseSource source) {
        String sealed = source.encryptedPassword();
        String what = "The password of " + tenantId + "/" + source.name();
        if (sealed == null) {
            if (source.password() == null) {
                throw new IllegalStateException(what + " is missing");
            }
            return source.password(); // stored before passwords were encrypted
        }
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new IllegalStateException(what + " is not encrypted in a form this version reads");
        }
        Key key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException(what + " was encrypted with the secrets key " + parts[1] + ", which is neither "
                    + KEY_VARIABLE + " nor one of " + OLD_KEYS_VARIABLE);
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " is not base64");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException(what + " is cut short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(context(tenantId, source.name()));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException(what + " does not decrypt with the secrets key " + key.id()
                    + ": the record was altered, or copied from another source");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(what + " does not decrypt: " + e.getMessage());
        }
    }

    /**
     * The source as it is stored: its password encrypted under the current key, if it was in clear or under an old
     * key. A password that does not decrypt stays as it is (the sources service reports it).
     */
    public DatabaseSource sealed(String tenantId, DatabaseSource source) {
        String sealed = source.encryptedPassword();
        if (sealed == null) {
            return source.password() == null ? source
                    : source.withEncryptedPassword(encrypt(tenantId, source.name(), source.password()));
        }
        String[] parts = sealed.split(":", 3);
        String keyId = parts.length == 3 ? parts[1] : "";
        if (keyId.equals(current.id()) || !keys.containsKey(keyId)) {
            return source.withEncryptedPassword(sealed);
        }
        try {
            return source.withEncryptedPassword(encrypt(tenantId, source.name(), decrypt(tenantId, source)));
        } catch (IllegalStateException e) {
            return source.withEncryptedPassword(sealed);
        }
    }

    /** The tenant as it is stored: every database source's password encrypted under the current key. */
    public Tenant sealed(Tenant tenant) {
        List<DatabaseSource> sealed = tenant.databases().stream().map(source -> sealed(tenant.id(), source)).toList();
        return sealed.equals(tenant.databases()) ? tenant : tenant.withDatabases(sealed, tenant.updatedAt());
    }

    private static byte[] context(String tenantId, String sourceName) {
        return (tenantId + "/" + sourceName).getBytes(StandardCharsets.UTF_8);
    }

    private static Key key(String base64, String variable) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " is not base64: it must be 32 random bytes in base64 "
                    + "(e.g. openssl rand -base64 32)");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException(variable + " holds " + bytes.length + " bytes: it must be " + KEY_BYTES
                    + " random bytes in base64 (e.g. openssl rand -base64 32)");
        }
        return new Key(keyId(bytes), new SecretKeySpec(bytes, "AES"));
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
