package io.freshet.bench;

/** A run that cannot go on or cannot be trusted, with what happened; printed without a stack trace. */
final class BenchException extends RuntimeException {

    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
