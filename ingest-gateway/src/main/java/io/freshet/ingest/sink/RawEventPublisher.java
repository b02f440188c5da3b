package io.freshet.ingest.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.topic.Channels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Duration;
import java.util.List;

/**
 * Writes accepted events to freshet.events.raw. The returned Uni completes only when Kafka has
 * acknowledged every one of them (acks=all), and fails if that takes longer than the ack timeout.
 */
@ApplicationScoped
public class RawEventPublisher {

    private final MutinyEmitter<Record<String, String>> emitter;
    private final ObjectMapper json;
    private final Duration ackTimeout;
    private final Timer ackLatency;

    public RawEventPublisher(@Channel(Channels.RAW) MutinyEmitter<Record<String, String>> emitter, ObjectMapper json,
                             @ConfigProperty(name = "freshet.ingest.ack-timeout") Duration ackTimeout,
                             MeterRegistry meters) {
        this.emitter = emitter;
        this.json = json;
        this.ackTimeout = ackTimeout;
        this.ackLatency = Timer.builder("freshet.ingest.kafka.ack")
                .description("Time from handing a request's events to the producer until Kafka acknowledged all of them")
                .publishPercentileHistogram().register(meters);
    }

    public Uni<Void> publish(List<RawEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Timer.Sample sample = Timer.start();
        List<Uni<Void>> acks = events.stream()
                .map(event -> emitter.send(Record.of(event.partitionKey(), toJson(event))))
                .toList();
        return Uni.join().all(acks).andFailFast()
                .ifNoItem().after(ackTimeout).failWith(() -> new KafkaUnavailableException(
                        "Kafka did not acknowledge the events within " + ackTimeout.toMillis() + " ms"))
                .onFailure().transform(e -> e instanceof KafkaUnavailableException ? e
                        : new KafkaUnavailableException("Kafka refused the write: " + e.getMessage()))
                .onItem().invoke(() -> sample.stop(ackLatency))
                .replaceWithVoid();
    }

    private String toJson(RawEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated event always serializes", e);
        }
    }
}
