package io.freshet.eventmodel.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** The operator's token ({@code FRESHET_ADMIN_TOKEN}) that every service's {@code /v1/admin} API requires. */
public final class AdminToken {

    /** Why a request is refused: the HTTP status and the error body. */
    public record Refusal(int status, ApiError error) {
    }

    private final Optional<String> token;
    private final String service;

    public AdminToken(Optional<String> token, String service) {
        this.token = token.filter(t -> !t.isBlank());
        this.service = service;
    }

    /** Empty when the request carries the token (compared in constant time). */
    public Optional<Refusal> check(String authorizationHeader) {
        if (token.isEmpty()) {
            return Optional.of(new Refusal(403, ApiError.of("admin_disabled",
                    "The admin API is disabled: start " + service + " with FRESHET_ADMIN_TOKEN set")));
        }
        boolean valid = BearerToken.from(authorizationHeader)
                .map(sent -> MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                        token.get().getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
        return valid ? Optional.empty() : Optional.of(new Refusal(401, ApiError.of("unauthorized",
                "Send the admin token as 'Authorization: Bearer <token>'")));
    }
}
