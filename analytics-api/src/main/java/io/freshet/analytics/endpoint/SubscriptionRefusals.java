package io.freshet.analytics.endpoint;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts the GraphQL subscriptions refused at the start or ended for their key, by reason and tenant
 * ({@code freshet_graphql_subscriptions_refused_total}): who probes the live API from a foreign page, opens more
 * than the caps, or keeps watching with a revoked key. Tenant-labelled, so served on the management port only.
 */
@ApplicationScoped
public class SubscriptionRefusals {

    /** The tenant label when no key told which tenant (e.g. an upgrade refused before connection_init). */
    public static final String NO_TENANT = "none";

    private final MeterRegistry meters;

    public SubscriptionRefusals(MeterRegistry meters) {
        this.meters = meters;
    }

    public void count(String reason, String tenant) {
        meters.counter("freshet.graphql.subscriptions.refused", "reason", reason, "tenant", tenant).increment();
    }
}
