package io.freshet.router.sink;

/**
 * Where the protocol may stop dead, for the tests that kill the router at each of its crash windows: a router started
 * with {@code FRESHET_SINK_HALT_AT} halts there as {@code kill -9} would. Never set in a deployment.
 */
@FunctionalInterface
public interface CrashPoints {

    enum Point {
        /** The intent is committed, nothing inserted. */
        AFTER_INTENT,
        /** The rows are inserted, the offsets not moved past them. */
        AFTER_INSERT
    }

    CrashPoints NONE = point -> {
    };

    void reached(Point point);

    /** Halts the process (no shutdown hooks, like kill -9) at that point. */
    static CrashPoints haltAt(Point at) {
        return point -> {
            if (point == at) {
                Runtime.getRuntime().halt(137);
            }
        };
    }
}
