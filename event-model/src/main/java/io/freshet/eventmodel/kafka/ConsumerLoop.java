package io.freshet.eventmodel.kafka;

/** A service's own consume loop on a thread of its own: the health checks ask whether it still runs. */
public interface ConsumerLoop {

    /** As the health checks show it. */
    String name();

    /** False once the loop has ended. */
    boolean isRunning();
}
