package io.freshet.router.route;

import io.freshet.eventmodel.tenant.InvalidRulesException;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.tenant.TenantRules;
import io.freshet.eventmodel.tenant.TenantRules.AlertRule;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Each tenant's alert rules, parsed once per rules version; a change saved through the admin API applies from the
 * next event on.
 */
@ApplicationScoped
public class AlertRuleBook {

    private static final Logger LOG = Logger.getLogger(AlertRuleBook.class);

    /** A version's rules by the event type they count. */
    private record Parsed(int version, Map<String, List<AlertRule>> byType) {
    }

    private final TenantRegistry tenants;
    private final Map<String, Parsed> byTenant = new ConcurrentHashMap<>();

    public AlertRuleBook(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    /** The tenant's rules that count events of this type; usually none. */
    public List<AlertRule> watching(String tenantId, String type) {
        Tenant tenant = tenants.find(tenantId).orElse(null);
        if (tenant == null) {
            return List.of();
        }
        Parsed parsed = byTenant.get(tenantId);
        if (parsed == null || parsed.version() != tenant.rulesVersion()) {
            parsed = new Parsed(tenant.rulesVersion(),
                    parse(tenant).stream().collect(Collectors.groupingBy(AlertRule::type)));
            byTenant.put(tenantId, parsed);
        }
        return parsed.byType().getOrDefault(type, List.of());
    }

    private static List<AlertRule> parse(Tenant tenant) {
        try {
            return TenantRules.of(tenant.rules()).alerts();
        } catch (InvalidRulesException e) {
            // the enricher dead-letters this tenant's events with the reason; none should get here
            LOG.warnf("Tenant %s's rules version %d cannot be applied, so it has no alerts: %s",
                    tenant.id(), tenant.rulesVersion(), e.getMessage());
            return List.of();
        }
    }
}
