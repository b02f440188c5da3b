package io.freshet.ingest.segment;

import java.util.Arrays;
import java.util.Optional;

/** The calls of the Segment tracking spec, each answered at {@code /v1/<call>} and named by a message's "type". */
public enum SegmentCall {
    TRACK, PAGE, SCREEN, IDENTIFY, GROUP, ALIAS;

    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<SegmentCall> of(String name) {
        return Arrays.stream(values()).filter(call -> call.wireName().equals(name)).findFirst();
    }
}
