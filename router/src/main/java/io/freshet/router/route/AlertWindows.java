package io.freshet.router.route;

import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.tenant.TenantRules.AlertRule;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Instant;

/**
 * Counts a tenant's events per alert rule in tumbling windows (by the time the gateway accepted them) and raises the
 * rule's alert once, when the count first exceeds the threshold. Input: tenant id to event type, partitioned by
 * tenant, so one task sees all of a tenant's events. The counts live in a window store whose changelog commits in
 * the same transaction as the alert and the input offsets: a crash neither repeats nor loses an alert.
 */
class AlertWindows implements Processor<String, String, String, Alert> {

    static final String STORE = "alert-windows";

    private final AlertRuleBook rules;
    private ProcessorContext<String, Alert> context;
    private WindowStore<String, Long> counts;

    AlertWindows(AlertRuleBook rules) {
        this.rules = rules;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.counts = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, String> hit) {
        String tenant = hit.key();
        for (AlertRule rule : rules.watching(tenant, hit.value())) {
            long windowStart = hit.timestamp() - Math.floorMod(hit.timestamp(), rule.windowMillis());
            String key = tenant + "/" + rule.name();
            Long before = counts.fetch(key, windowStart);
            long count = (before == null ? 0 : before) + 1;
            counts.put(key, count, windowStart);
            // counts grow by one, so "more than the threshold" begins exactly once per window
            if (count == rule.threshold() + 1) {
                context.forward(new Record<>(tenant, alert(tenant, rule, windowStart, count), hit.timestamp()));
            }
        }
    }

    private static Alert alert(String tenant, AlertRule rule, long windowStart, long observed) {
        return Alert.newBuilder()
                .setTenantId(tenant)
                .setAlertId(tenant + "/" + rule.name() + "/" + windowStart)
                .setRule(rule.name())
                .setEventType(rule.type())
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowStart + rule.windowMillis()))
                .setObserved(observed)
                .setThreshold(rule.threshold())
                .setMessage("More than %d '%s' events within %d minute(s)"
                        .formatted(rule.threshold(), rule.type(), rule.windowMinutes()))
                .setRaisedAt(Instant.now())
                .build();
    }
}
