package io.freshet.router.config;

import io.freshet.router.sink.CrashPoints;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import java.time.Duration;
import java.util.Optional;

/** The router's {@code freshet.router.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.router")
public interface RouterConfig {

    /** This instance's name: its static group memberships and Kafka Streams state. Two live instances never share one. */
    @NotBlank
    String instanceId();

    /** Billing counts an event into the minute the gateway accepted it; a minute stays open this long. */
    Duration billingGrace();

    Sink sink();

    Redrive redrive();

    /** The ClickHouse sink. */
    interface Sink {

        /** An insert (one table, every partition the instance owns) carries this many rows at most. */
        @Min(1)
        int batchRows();

        /** A table's batch is inserted at the latest when its oldest record waited this long ... */
        Duration batchAge();

        /** ... and already after this long when Kafka has nothing more for its partitions yet. */
        Duration batchMinAge();

        Retry retry();

        /** Tests only: the protocol halts the process at this point, as kill -9 would (see CrashPoints). */
        Optional<CrashPoints.Point> haltAt();

        /** A batch ClickHouse does not take is retried with this backoff, doubling. */
        interface Retry {
            Duration initialBackoff();

            Duration maxBackoff();
        }
    }

    /** The DLQ redrive. */
    interface Redrive {
        /** How long a redrive follows the events it sent, after the last one: those neither stored nor dead-lettered again by then are pending. */
        Duration followTimeout();
    }
}
