package io.freshet.router.deadletter;

import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.deadletter.DeadLetterReason;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A dead letter's reason code, also for the letters written before letters carried one. */
public final class LetterReason {

    /** The reason of an older letter whose error class does not tell it. */
    public static final String UNKNOWN = "unknown";

    /** The error classes that meant each reason before the code was written (simple names). */
    private static final Map<String, DeadLetterReason> BY_ERROR_CLASS = Map.of(
            "InvalidRawEventException", DeadLetterReason.INVALID_EVENT,
            "RuleViolationException", DeadLetterReason.RULE_VIOLATION,
            "TenantPausedException", DeadLetterReason.TENANT_PAUSED,
            "UnknownTenantException", DeadLetterReason.UNKNOWN_TENANT,
            "ClickHouseRejectedRow", DeadLetterReason.ROW_REFUSED);

    private LetterReason() {
    }

    public static String of(DeadLetter letter) {
        if (letter.reason() != null) {
            return letter.reason();
        }
        String errorClass = letter.errorClass() == null ? "" : letter.errorClass();
        DeadLetterReason derived = BY_ERROR_CLASS.get(errorClass.substring(errorClass.lastIndexOf('.') + 1));
        return derived == null ? UNKNOWN : derived.code();
    }

    /** True for what a filter may ask for: a reason's code, or {@value #UNKNOWN}. */
    public static boolean isCode(String code) {
        return UNKNOWN.equals(code) || DeadLetterReason.ofCode(code).isPresent();
    }

    /** Every code a filter may ask for, for messages. */
    public static String codes() {
        return Stream.concat(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code), Stream.of(UNKNOWN))
                .collect(Collectors.joining(", "));
    }
}
