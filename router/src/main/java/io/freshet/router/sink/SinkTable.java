package io.freshet.router.sink;

import io.freshet.eventmodel.topic.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.Function;

/** The topics the router stores in ClickHouse: each one's table, and how a record becomes a row of it. */
public enum SinkTable {

    EVENTS(Topics.ENRICHED, "events", EventRow.class, EventRow::new),
    /** Late events go to the same table, marked late. */
    LATE_EVENTS(Topics.LATE, "events", EventRow.class, EventRow::new),
    BILLING_USAGE(Topics.BILLING_USAGE, "billing_usage", UsageRow.class, UsageRow::new);

    public static final String DATABASE = "freshet";

    private final String topic;
    private final String table;
    private final Class<?> rowClass;
    private final Function<ConsumerRecord<String, SpecificRecord>, Object> row;

    SinkTable(String topic, String table, Class<?> rowClass, Function<ConsumerRecord<String, SpecificRecord>, Object> row) {
        this.topic = topic;
        this.table = table;
        this.rowClass = rowClass;
        this.row = row;
    }

    public static SinkTable of(String topic) {
        for (SinkTable table : values()) {
            if (table.topic.equals(topic)) {
                return table;
            }
        }
        throw new IllegalArgumentException("The router stores no topic " + topic);
    }

    public String topic() {
        return topic;
    }

    public String table() {
        return table;
    }

    Class<?> rowClass() {
        return rowClass;
    }

    public Object row(ConsumerRecord<String, SpecificRecord> record) {
        return row.apply(record);
    }
}
