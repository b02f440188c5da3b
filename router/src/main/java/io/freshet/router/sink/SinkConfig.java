package io.freshet.router.sink;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;

/** The ClickHouse sink's settings ({@code freshet.sink.*}), checked at start. */
@ConfigMapping(prefix = "freshet.sink")
public interface SinkConfig {

    /** A partition's insert carries this many rows at most (also the lanes' max.poll.records). */
    int batchRows();

    /** The lanes' fetch.min.bytes: the broker holds a fetch until it has this much ... */
    int batchBytes();

    /** ... or this long passed (fetch.max.wait.ms); typed here so a bad value stops the start. */
    int batchWaitMs();

    Retry retry();

    interface Retry {
        Duration initialBackoff();

        Duration maxBackoff();
    }
}
