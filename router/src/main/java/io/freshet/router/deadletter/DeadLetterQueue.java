package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.router.stream.RouterClients;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.UUID;

/** The dead letters on freshet.events.dlq, for the operator: summed up, or read by a redrive. */
@ApplicationScoped
public class DeadLetterQueue {

    private final RouterClients clients;
    private final ObjectMapper json;

    public DeadLetterQueue(RouterClients clients, ObjectMapper json) {
        this.clients = clients;
        this.json = json;
    }

    /** A reader of its own; {@code name} tells it apart in the broker's client ids. */
    public DeadLetterReader reader(String name) {
        return new DeadLetterReader(clients.deadLetterReader("router-" + name), json);
    }

    /** The filter's letters among those written up to now (a bounded read: letters coming meanwhile wait for the next). */
    public DeadLetterSummary summary(DeadLetterFilter filter) throws Exception {
        try (DeadLetterReader reader = reader("dlq-list-" + UUID.randomUUID())) {
            Map<TopicPartition, Long> ends = reader.startAt(filter.since());
            DeadLetterSummary.Tally tally = new DeadLetterSummary.Tally(filter);
            reader.readTo(ends, tally::add);
            return tally.summary(reader.unreadable());
        }
    }
}
