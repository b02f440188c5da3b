package io.freshet.router.route;

import io.freshet.router.config.RouterConfig;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.tenant.TenantRules;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The alert and billing routes, from freshet.events.enriched and freshet.events.late, as one Kafka Streams topology run exactly once. Both
 * count an event at the time the gateway accepted it, so a replay or a crash counts it into the same window.
 * <ul>
 * <li>Billing: per tenant and minute, the events and bytes so far, to freshet.billing.usage keyed by tenant. A
 * minute's record is updated while its events arrive; the newest record of a (tenant, minute) is its total. Each
 * partition's usage is first summed for a second ({@link UsageCombiner}), so regrouping it costs little.</li>
 * <li>Alerts: each tenant's alert rules, counted per window ({@link AlertWindows}), to freshet.alerts.</li>
 * </ul>
 */
@ApplicationScoped
public class RouteTopology {

    static final Duration BILLING_MINUTE = Duration.ofMinutes(1);
    /** Holds the longest window a rule may have; older windows are dropped. */
    private static final Duration ALERT_RETENTION = Duration.ofMinutes(TenantRules.MAX_ALERT_WINDOW_MINUTES);
    /** How long a partition's usage is summed before it is regrouped by tenant: the billing route's added delay. */
    private static final Duration BILLING_COMBINE = Duration.ofSeconds(1);

    private final RouteSerdes serdes;
    private final AlertRuleBook alertRules;
    private final Duration billingGrace;

    public RouteTopology(RouteSerdes serdes, AlertRuleBook alertRules,
                         RouterConfig config) {
        this.serdes = serdes;
        this.alertRules = alertRules;
        this.billingGrace = config.billingGrace();
    }

    @Produces
    Topology routes() {
        var builder = new StreamsBuilder();
        // late events are billed and alerted on as any: they count when the gateway accepted them
        KStream<String, SizedEvent> enriched = builder.stream(List.of(Topics.ENRICHED, Topics.LATE), Consumed
                .with(Serdes.String(), serdes.sizedEvents())
                .withTimestampExtractor((record, partitionTime) ->
                        ((SizedEvent) record.value()).event().getReceivedAt().toEpochMilli())
                .withName("enriched"));
        billing(builder, enriched);
        alerts(builder, enriched);
        return builder.build();
    }

    private void billing(StreamsBuilder builder, KStream<String, SizedEvent> enriched) {
        Serde<Usage> usage = RouteSerdes.json(Usage.class);
        Serde<BillingUsage> billingUsage = serdes.avro();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(UsageCombiner.STORE), Serdes.String(), usage)
                .withCachingEnabled()); // its changelog gets a key's sum per commit, not one write per event
        enriched.process(() -> new UsageCombiner(BILLING_COMBINE), UsageCombiner.STORE)
                .groupByKey(Grouped.with("billing-by-tenant", Serdes.String(), usage))
                .windowedBy(TimeWindows.ofSizeAndGrace(BILLING_MINUTE, billingGrace))
                .reduce(Usage::plus, Materialized.<String, Usage, WindowStore<Bytes, byte[]>>as("billing-minutes")
                        .withKeySerde(Serdes.String()).withValueSerde(usage))
                .toStream()
                .map((minute, total) -> KeyValue.pair(minute.key(), new BillingUsage(minute.key(),
                        Instant.ofEpochMilli(minute.window().start()), total.events(), total.bytes())))
                .to(Topics.BILLING_USAGE, Produced.with(Serdes.String(), billingUsage));
    }

    private void alerts(StreamsBuilder builder, KStream<String, SizedEvent> enriched) {
        Serde<Alert> alert = serdes.avro();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(AlertWindows.STORE, ALERT_RETENTION, ALERT_RETENTION, false),
                Serdes.String(), Serdes.Long()));
        enriched.filter((key, sized) -> !alertRules.watching(sized.event().getTenantId(), sized.event().getType()).isEmpty())
                .map((key, sized) -> KeyValue.pair(sized.event().getTenantId(), sized.event().getType()))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("alert-hits"))
                .process(() -> new AlertWindows(alertRules), AlertWindows.STORE)
                .to(Topics.ALERTS, Produced.with(Serdes.String(), alert));
    }
}
