package io.freshet.eventmodel.tenant;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret hashed the way an MQTT broker's password file holds it (Mosquitto's {@code $7$}: PBKDF2-SHA512, salted), so
 * the broker can check a device's key while Freshet keeps no key in the clear. Computed when the key is issued, the
 * only moment its secret is known.
 */
public final class MqttPasswords {

    /** What {@code mosquitto_passwd} uses: the hash guards random 256-bit keys, not guessable passwords. */
    private static final int ITERATIONS = 101;
    private static final int SALT_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private MqttPasswords() {
    }

    public static String hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        try {
            var spec = new PBEKeySpec(secret.toCharArray(), salt, ITERATIONS, 512);
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            var base64 = Base64.getEncoder();
            return "$7$" + ITERATIONS + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every JDK", e);
        }
    }
}
