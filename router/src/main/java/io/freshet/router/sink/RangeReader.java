package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;

/**
 * Reads a manifest's records again, outside the lane's group: its members may belong to other instances by now, and
 * a re-formed batch must hold every row of the first attempt, in the same order, for its token to match.
 */
@FunctionalInterface
public interface RangeReader {

    /**
     * The records of every member's range, member by member in the manifest's order.
     *
     * @throws Exception Kafka could not be read (yet): try again
     */
    List<ConsumerRecord<String, SpecificRecord>> read(Manifest manifest) throws Exception;
}
