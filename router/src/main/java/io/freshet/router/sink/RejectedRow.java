package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record whose row ClickHouse refused, with ClickHouse's reason. */
public record RejectedRow(ConsumerRecord<String, SpecificRecord> record, String reason) {
}
