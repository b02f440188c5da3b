package io.freshet.router.stream;

import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.config.RouterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import jakarta.inject.Singleton;
import org.apache.avro.specific.SpecificRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The late lane: events sent long after they happened, into ClickHouse on a consumer of their own. */
@Singleton // not proxied: its superclass has no no-args constructor
@Identifier(LateSink.CHANNEL) // the channel's consumer-rebalance-listener.name
public class LateSink extends LaneSink {

    public static final String CHANNEL = "late-events";

    public LateSink(KafkaClientService kafka, ClickHouseBatchSink sink, RejectedRows deadLetters, RouterClients clients, MeterRegistry meters,
                    EventTracing tracing, RouterConfig config) {
        super(SinkLane.LATE, kafka, sink, deadLetters, clients, meters, tracing, config);
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecords<String, SpecificRecord> records) {
        store(records);
    }
}
