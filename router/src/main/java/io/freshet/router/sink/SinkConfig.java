package io.freshet.router.sink;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;

/** The ClickHouse sink's settings ({@code freshet.sink.*}), checked at start. */
@ConfigMapping(prefix = "freshet.sink")
public interface SinkConfig {

    /** A partition's batch is inserted at this many rows at most. */
    int batchRows();

    /** ... or when its oldest row waited this long. */
    Duration batchAge();

    /** ... or, once it waited this long, as soon as Kafka has nothing more for the partition. */
    Duration batchMinAge();

    Retry retry();

    interface Retry {
        Duration initialBackoff();

        Duration maxBackoff();
    }

    default FlushPolicy flushPolicy() {
        return new FlushPolicy(batchRows(), batchAge(), batchMinAge());
    }
}
