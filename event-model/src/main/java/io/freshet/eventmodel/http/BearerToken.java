package io.freshet.eventmodel.http;

import java.util.Optional;

/** Reads the token of an {@code Authorization: Bearer <token>} header. */
public final class BearerToken {

    private static final String SCHEME = "bearer ";

    private BearerToken() {
    }

    public static Optional<String> from(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() <= SCHEME.length()
                || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String token = authorizationHeader.substring(SCHEME.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
