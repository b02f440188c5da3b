package io.freshet.eventmodel.tenant;

/** A database source's host that {@link SourceHostPolicy} refuses, with why and how an operator may allow it. */
public class RefusedHostException extends RuntimeException {

    public RefusedHostException(String message) {
        super(message, null, false, false);
    }
}
