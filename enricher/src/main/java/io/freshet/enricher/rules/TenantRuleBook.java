package io.freshet.enricher.rules;

import io.freshet.eventmodel.tenant.InvalidRulesException;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRules;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's current rules, parsed once per rules version. A change saved through the admin API reaches the
 * enricher through the tenant registry and applies from the next event on, without a restart.
 */
@ApplicationScoped
public class TenantRuleBook {

    private final Map<String, EventRules> byTenant = new ConcurrentHashMap<>();

    /** @throws InvalidRulesException the stored rules cannot be applied (saved around the admin API's check) */
    public EventRules rulesOf(Tenant tenant) throws InvalidRulesException {
        EventRules known = byTenant.get(tenant.id());
        if (known != null && known.version() == tenant.rulesVersion()) {
            return known;
        }
        EventRules rules = new EventRules(tenant.id(), tenant.rulesVersion(), TenantRules.of(tenant.rules()));
        byTenant.put(tenant.id(), rules);
        return rules;
    }
}
