package io.freshet.router.stream;

import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.SinkConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** The late lane: events sent long after they happened, into ClickHouse on their own consumer. */
@Singleton // not proxied: its superclass has no no-args constructor
public class LateSinkLoop extends ClickHouseSinkLoop {

    public LateSinkLoop(RouterClients clients, ClickHouseBatchSink sink, RejectedRows deadLetters, MeterRegistry meters,
                        EventTracing tracing, SinkConfig config) {
        super(SinkLane.LATE, clients, sink, deadLetters, meters, tracing, config);
    }

    /** After the topics exist and the migrations ran. */
    void onStart(@Observes @Priority(4) StartupEvent event) {
        start("router-late");
    }
}
