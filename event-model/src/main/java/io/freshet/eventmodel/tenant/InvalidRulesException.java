package io.freshet.eventmodel.tenant;

/** Tenant rules that cannot be applied; the message says which rule and why, for the admin who saved them. */
public class InvalidRulesException extends Exception {

    public InvalidRulesException(String message) {
        super(message);
    }
}
