package io.freshet.ingest.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import java.time.Duration;

/** The gateway's {@code freshet.ingest.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.ingest")
public interface IngestConfig {

    /** Events one request may carry; more is refused whole with 413. */
    @Min(1)
    int maxEventsPerRequest();

    /** Request bodies held at once over all connections; past it, 503 gateway_busy before a body is read. */
    MemorySize maxInFlightBodyBytes();

    /** Every body must arrive at least this fast (bytes per second) after the grace period; slower ones get 408. */
    MemorySize minBodyRate();

    /** The time a body may take on top of its size at the minimum rate. */
    Duration bodyGrace();

    /** Bodies whose key is inside them (a Segment writeKey): their sender is not authenticated before they are read. */
    KeyInBody keyInBody();

    interface KeyInBody {
        /** Such bodies held at once, apart from the budget of authenticated ones. */
        MemorySize maxInFlightBytes();

        /** Such bodies uploading at once from one client address; more get 429. */
        @Min(1)
        int maxPerClient();
    }

    /** The bound on a request's wait for Kafka: within it, its events are committed (202) or it gets 503. */
    Duration ackTimeout();

    /** Requests waiting for the next transaction; more get 503 at once. */
    @Min(1)
    int maxQueuedRequests();

    RateLimit rateLimit();

    Producer producer();

    interface RateLimit {
        /** Events per second of a tenant without a limit of its own. */
        @Min(1)
        long defaultPerSecond();
    }

    /** What the transactions of the raw-event channels are bounded by (their Kafka settings take these values). */
    interface Producer {
        /** Shared by this instance's channels, each adding its number; the same after a restart. */
        @NotBlank
        String transactionalId();

        /** Each step of a transaction (begin, send, commit) waits at most this long. */
        @Min(1)
        int maxBlockMs();

        @Min(0)
        int lingerMs();

        /** A transaction gathers the requests that come this long after its first (group commit at a steady load). */
        Duration transactionGather();

        /** How long a record may wait for its ack; Kafka wants at least max-block-ms + linger-ms. */
        @Min(1)
        int deliveryTimeoutMs();

        /** Unacknowledged events are bounded by this buffer; a transaction takes at most a quarter of it. */
        @Min(1048576)
        long bufferMemory();
    }
}
