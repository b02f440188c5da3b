package io.freshet.eventmodel.deadletter;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Why a record is on freshet.events.dlq, as the code in its {@code reason} field. */
public enum DeadLetterReason {

    /** Not a raw event the enricher can read (bytes, shape, required fields). */
    INVALID_EVENT,
    /** It breaks its tenant's validation rules (or the tenant's saved rules cannot be applied). */
    RULE_VIOLATION,
    /** Its tenant was paused by the circuit breaker: valid, waiting for a redrive. */
    TENANT_PAUSED,
    /** Its tenant was deleted after the gateway accepted the event. */
    TENANT_DELETED,
    /** Its tenant is not known, and the record does not say when the gateway knew it. */
    UNKNOWN_TENANT,
    /** ClickHouse refused the row for its values. */
    ROW_REFUSED,
    /** Any other failure, after the stage's retries. */
    PROCESSING_FAILED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason with this code; empty for any other text. */
    public static Optional<DeadLetterReason> ofCode(String code) {
        return Arrays.stream(values()).filter(reason -> reason.code().equals(code)).findFirst();
    }
}
