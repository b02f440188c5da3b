package io.freshet.router.route;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums each partition's usage per tenant and minute for a moment before billing regroups it by tenant, so the
 * repartition topic carries one record per tenant, minute and partition each interval instead of one per event.
 * The pending sums live in a state store, which commits with the input offsets: a crash loses none of them.
 */
class UsageCombiner implements Processor<String, SizedEvent, String, Usage> {

    static final String STORE = "billing-pending";
    private static final long MINUTE_MILLIS = RouteTopology.BILLING_MINUTE.toMillis();

    private final Duration interval;
    private ProcessorContext<String, Usage> context;
    private KeyValueStore<String, Usage> pending;

    UsageCombiner(Duration interval) {
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, Usage> context) {
        this.context = context;
        this.pending = context.getStateStore(STORE);
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
    }

    @Override
    public void process(Record<String, SizedEvent> record) {
        long minute = record.timestamp() - Math.floorMod(record.timestamp(), MINUTE_MILLIS);
        String key = minute + "/" + record.value().event().getTenantId();
        Usage event = new Usage(1, record.value().bytes());
        Usage sum = pending.get(key);
        pending.put(key, sum == null ? event : sum.plus(event));
    }

    private void flush() {
        List<KeyValue<String, Usage>> sums = new ArrayList<>();
        try (KeyValueIterator<String, Usage> all = pending.all()) {
            all.forEachRemaining(sums::add);
        }
        for (KeyValue<String, Usage> sum : sums) {
            int slash = sum.key.indexOf('/');
            long minute = Long.parseLong(sum.key.substring(0, slash));
            context.forward(new Record<>(sum.key.substring(slash + 1), sum.value, minute));
            pending.delete(sum.key);
        }
    }
}
