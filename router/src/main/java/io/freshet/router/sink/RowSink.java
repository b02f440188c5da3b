package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;

/** Where a batch's rows go: ClickHouse, or an in-memory table in the protocol's tests. */
@FunctionalInterface
public interface RowSink {

    /**
     * Stores the records' rows in the table, or the rows it refuses for their values as dead letters. A second call
     * with the same token stores nothing: ClickHouse recognises the retried insert.
     *
     * @throws Exception the rows could not be stored (yet): try again with the same rows and token
     */
    void insert(SinkTable table, List<ConsumerRecord<String, SpecificRecord>> records, String deduplicationToken) throws Exception;
}
