package io.freshet.ingest.sink;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One request's records waiting for a transaction; completed once that transaction committed or failed. */
record PendingWrite(List<ProducerRecord<String, byte[]>> records, long admissionDeadlineNanos,
                    CompletableFuture<Void> outcome) {

    PendingWrite(List<ProducerRecord<String, byte[]>> records, long admissionDeadlineNanos) {
        this(records, admissionDeadlineNanos, new CompletableFuture<>());
    }

    long bytes() {
        long bytes = 0;
        for (var record : records) {
            bytes += record.value().length + record.key().length();
        }
        return bytes;
    }
}
