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

    /** One version of a tenant's rules, parsed: the rules, or why they cannot be applied (kept too, not re-parsed per event). */
    private record Parsed(int version, EventRules rules, InvalidRulesException invalid) {
    }

    private final Map<String, Parsed> byTenant = new ConcurrentHashMap<>();

    /** @throws InvalidRulesException the stored rules cannot be applied (saved around the admin API's check) */
    public EventRules rulesOf(Tenant tenant) throws InvalidRulesException {
        Parsed parsed = byTenant.get(tenant.id());
        if (parsed == null || parsed.version() != tenant.rulesVersion()) {
            parsed = parse(tenant);
            byTenant.put(tenant.id(), parsed);
        }
        if (parsed.invalid() != null) {
            throw parsed.invalid();
        }
        return parsed.rules();
    }

    private static Parsed parse(Tenant tenant) {
        try {
            return new Parsed(tenant.rulesVersion(), new EventRules(tenant.id(), TenantRules.of(tenant.rules())), null);
        } catch (InvalidRulesException e) {
            return new Parsed(tenant.rulesVersion(), null, e);
        }
    }
}
