package io.freshet.router.sink;

import io.freshet.eventmodel.record.BillingUsage;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;

/** One row of {@code freshet.billing_usage}: a tenant's minute, its total so far. */
@RegisterForReflection // the ClickHouse client finds the getters reflectively: native keeps them
public class UsageRow {

    private final BillingUsage usage;
    private final int sourcePartition;
    private final long sourceOffset;

    UsageRow(ConsumerRecord<String, SpecificRecord> record) {
        this.usage = (BillingUsage) record.value();
        this.sourcePartition = record.partition();
        this.sourceOffset = record.offset();
    }

    public String getTenantId() {
        return usage.getTenantId();
    }

    public Instant getMinuteStart() {
        return usage.getMinuteStart();
    }

    public long getEvents() {
        return usage.getEvents();
    }

    public long getBytes() {
        return usage.getBytes();
    }

    public int getSourcePartition() {
        return sourcePartition;
    }

    public long getSourceOffset() {
        return sourceOffset;
    }
}
