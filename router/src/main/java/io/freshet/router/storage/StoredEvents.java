package io.freshet.router.storage;

import com.clickhouse.client.api.Client;
import io.freshet.eventmodel.tenant.Tenant;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Asks freshet.events which of some events it already holds: what a replay or a redrive need not store again. */
@ApplicationScoped
public class StoredEvents {

    /** Ids per query, so a query stays a few hundred kilobytes. */
    static final int IDS_PER_QUERY = 5000;

    /** An event as freshet.events keys it; the time narrows the months ClickHouse reads. */
    public record Key(String tenantId, UUID eventId, Instant eventTime) {
        public Key {
            // written into the query as they are: only a tenant id can be (a UUID always is)
            if (!Tenant.ID_PATTERN.matcher(tenantId).matches()) {
                throw new IllegalArgumentException("Not a tenant id: " + tenantId);
            }
        }
    }

    private final Client clickHouse;

    public StoredEvents(Client clickHouse) {
        this.clickHouse = clickHouse;
    }

    /** Those of {@code events} that freshet.events holds. */
    public Set<Key> present(Collection<Key> events) {
        List<Key> all = List.copyOf(events);
        Set<Key> present = new HashSet<>();
        for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
            present.addAll(presentOf(all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY))));
        }
        return present;
    }

    private Set<Key> presentOf(List<Key> events) {
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        for (Key event : events) {
            first = event.eventTime().isBefore(first) ? event.eventTime() : first;
            last = event.eventTime().isAfter(last) ? event.eventTime() : last;
        }
        String sql = "SELECT tenant_id, toString(event_id) AS id FROM freshet.events WHERE tenant_id IN ("
                + events.stream().map(e -> "'" + e.tenantId() + "'").distinct().collect(Collectors.joining(","))
                + ") AND event_time BETWEEN fromUnixTimestamp64Milli(" + first.toEpochMilli()
                + ", 'UTC') AND fromUnixTimestamp64Milli(" + last.toEpochMilli() + ", 'UTC') AND event_id IN ("
                + events.stream().map(e -> "'" + e.eventId() + "'").distinct().collect(Collectors.joining(",")) + ")";
        // by tenant and id: two tenants may send the same event id
        Set<String> found = clickHouse.queryAll(sql).stream()
                .map(row -> row.getString("tenant_id") + "/" + row.getString("id")).collect(Collectors.toSet());
        return events.stream().filter(e -> found.contains(e.tenantId() + "/" + e.eventId())).collect(Collectors.toSet());
    }
}
