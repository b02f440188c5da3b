package io.freshet.ingest.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes accepted events to freshet.events.raw with the official Kafka producer and returns only when
 * Kafka has acknowledged every one of them (acks=all, idempotent), or fails after the ack timeout.
 * One callback per record and one future per request: the per-message machinery of a reactive
 * emitter cost three quarters of the gateway's CPU at load.
 */
@ApplicationScoped
public class RawEventPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final ObjectWriter json;
    private final Duration ackTimeout;
    private final Timer ackLatency;

    public RawEventPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                             @ConfigProperty(name = "freshet.ingest.ack-timeout") Duration ackTimeout,
                             @ConfigProperty(name = "freshet.ingest.producer.linger-ms") int lingerMs,
                             @ConfigProperty(name = "freshet.ingest.producer.batch-size") int batchSize,
                             @ConfigProperty(name = "freshet.ingest.producer.compression") String compression,
                             @ConfigProperty(name = "freshet.ingest.producer.buffer-memory") long bufferMemory,
                             ObjectMapper json, MeterRegistry meters) {
        this.ackTimeout = ackTimeout;
        this.json = json.writerFor(RawEvent.class);
        this.producer = new KafkaProducer<>(Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway"),
                // durability is not a tunable: an acknowledged event is on every in-sync replica, once
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, lingerMs),
                Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, batchSize),
                Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression),
                // bounded memory: when Kafka is slow the buffer fills and send() waits at most the ack timeout
                Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackTimeout.toMillis()),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000)),
                new StringSerializer(), new ByteArraySerializer());
        this.ackLatency = Timer.builder("freshet.ingest.kafka.ack")
                .description("Time from handing a request's events to the producer until Kafka acknowledged all of them")
                .publishPercentileHistogram().register(meters);
        new KafkaClientMetrics(producer).bindTo(meters); // kafka.producer.* (buffer, batch size, errors, latency)
    }

    /** Blocks (on a virtual thread) until Kafka acknowledged every event, or throws. */
    public void publish(List<RawEvent> events) {
        long start = System.nanoTime();
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(events.size());
        try {
            for (RawEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.RAW, event.partitionKey(), json.writeValueAsBytes(event)),
                        (metadata, failure) -> {
                            if (failure != null) {
                                acknowledged.completeExceptionally(failure);
                            } else if (pending.decrementAndGet() == 0) {
                                acknowledged.complete(null);
                            }
                        });
            }
            long remaining = ackTimeout.toNanos() - (System.nanoTime() - start);
            acknowledged.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
            ackLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge the events within " + ackTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException("Kafka refused the write: " + e.getCause().getMessage());
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new KafkaUnavailableException("Kafka cannot take writes: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for Kafka");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated event always serializes", e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10)); // sends what is buffered; those requests are still waiting for it
    }
}
