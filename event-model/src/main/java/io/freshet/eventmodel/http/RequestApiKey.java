package io.freshet.eventmodel.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The tenant API key of a request's {@code Authorization} header: {@code Bearer <key>}, or HTTP Basic with the key
 * as user name and any password (how Segment- and RudderStack-style SDKs send their write key).
 */
public final class RequestApiKey {

    private static final String BASIC = "basic ";

    private RequestApiKey() {
    }

    public static Optional<String> from(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            return BearerToken.from(authorizationHeader);
        }
        try {
            String credentials = new String(Base64.getDecoder().decode(authorizationHeader.substring(BASIC.length()).strip()),
                    StandardCharsets.UTF_8);
            String user = credentials.split(":", 2)[0].strip();
            return user.isEmpty() ? Optional.empty() : Optional.of(user);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not base64: no key
        }
    }
}
