package io.freshet.eventmodel.event;

import java.util.regex.Pattern;

/**
 * What an event type may be called, at ingest and in analytics questions: "order.created" as much as Segment's
 * "Order Completed". Printable, starting with a letter, no space at either end, at most 128 characters.
 */
public final class EventTypes {

    public static final int MAX_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("\\p{L}(?:[^\\p{Cntrl}]{0," + (MAX_LENGTH - 2) + "}[^\\p{Cntrl}\\s])?");

    private EventTypes() {
    }

    public static boolean isValid(String type) {
        return type != null && NAME.matcher(type).matches();
    }
}
