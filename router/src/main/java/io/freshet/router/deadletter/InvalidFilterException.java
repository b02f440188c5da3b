package io.freshet.router.deadletter;

/** A filter of dead letters that cannot be applied; {@link #code()} is the API's error code. */
public class InvalidFilterException extends IllegalArgumentException {

    private final String code;

    public InvalidFilterException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
