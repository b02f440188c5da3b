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

/** The live lane: real-time events and billing usage into ClickHouse. */
@Singleton // not proxied: its superclass has no no-args constructor
@Identifier(LiveSink.CHANNEL) // the channel's consumer-rebalance-listener.name
public class LiveSink extends LaneSink {

    public static final String CHANNEL = "enriched-events";

    public LiveSink(KafkaClientService kafka, ClickHouseBatchSink sink, RejectedRows deadLetters, RouterClients clients, MeterRegistry meters,
                    EventTracing tracing, RouterConfig config) {
        super(SinkLane.LIVE, kafka, sink, deadLetters, clients, meters, tracing, config);
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecords<String, SpecificRecord> records) {
        store(records);
    }
}
