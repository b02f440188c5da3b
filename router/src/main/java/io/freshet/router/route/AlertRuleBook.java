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

/**
 * Each tenant's alert rules, parsed once per rules version; a change saved through the admin API applies from the
 * next event on.
 */
@ApplicationScoped
public class AlertRuleBook {

    private static final Logger LOG = Logger.getLogger(AlertRuleBook.class);

    private record Parsed(int version, List<AlertRule> rules) {
    }

    private final TenantRegistry tenants;
    private final Map<String, Parsed> byTenant = new ConcurrentHashMap<>();

    public AlertRuleBook(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    /** The tenant's rules that count events of this type; usually none. */
    public List<AlertRule> watching(String tenantId, String type) {
        List<AlertRule> rules = rulesOf(tenantId);
        return rules.isEmpty() ? rules : rules.stream().filter(rule -> rule.type().equals(type)).toList();
    }

    private List<AlertRule> rulesOf(String tenantId) {
        Tenant tenant = tenants.find(tenantId).orElse(null);
        if (tenant == null) {
            return List.of();
        }
        Parsed parsed = byTenant.get(tenantId);
        if (parsed == null || parsed.version() != tenant.rulesVersion()) {
            parsed = new Parsed(tenant.rulesVersion(), parse(tenant));
            byTenant.put(tenantId, parsed);
        }
        return parsed.rules();
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
