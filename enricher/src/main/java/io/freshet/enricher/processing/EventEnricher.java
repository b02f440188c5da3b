package io.freshet.enricher.processing;

import io.freshet.enricher.config.EnricherConfig;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.enricher.processing.Enrichment.Outcome;
import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.quality.Quality;
import io.freshet.enricher.quality.QualityRule;
import io.freshet.enricher.quality.TenantCircuitBreaker;
import io.freshet.enricher.quality.TenantPausedException;
import io.freshet.enricher.rules.EventRules;
import io.freshet.enricher.rules.RuleViolationException;
import io.freshet.enricher.rules.TenantRuleBook;
import io.freshet.enricher.session.UserSessions;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.InvalidRulesException;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns one raw JSON event into an {@link EnrichedEvent}: the tenant's filter, sample and validation rules, then
 * its transformation rules, then user agent, date parts, ingest lag and, where the client sent none, a session.
 * A function of the record, the tenant's state and the committed session and circuit breaker state, so a batch
 * retried after a crash produces the same output.
 */
@ApplicationScoped
public class EventEnricher {

    private final ObjectMapper json;
    private final TenantRegistry tenants;
    private final TenantRuleBook rules;
    private final UserAgents userAgents;
    private final TenantCircuitBreaker breaker;
    private final Duration lateAfter;

    public EventEnricher(ObjectMapper json, TenantRegistry tenants, TenantRuleBook rules, UserAgents userAgents,
                         TenantCircuitBreaker breaker, EnricherConfig config) {
        Duration lateAfter = config.lateAfter();
        this.json = json;
        this.tenants = tenants;
        this.rules = rules;
        this.userAgents = userAgents;
        this.breaker = breaker;
        this.lateAfter = lateAfter;
    }

    /**
     * @param sessions the batch's view of the derived sessions; the record's partition must be restored in it
     * @param seen     the batch's view of the event ids passed on within the dedup window; likewise restored
     * @param now      the batch's time, for the tenant's circuit breaker
     * @throws RejectedEventException the record is not a raw event, breaks its tenant's rules, or its tenant is paused
     * @throws UnknownTenantException the tenant is not (yet) known here
     */
    public Enrichment enrich(ConsumerRecord<String, String> record, UserSessions.Batch sessions, SeenEventIds.Batch seen,
                             Instant now) throws RejectedEventException {
        RawEvent raw = read(record.value());
        Tenant tenant = tenants.find(raw.tenantId()).orElseThrow(() -> new UnknownTenantException(raw.tenantId()));
        long receivedAt = raw.receivedAt().toEpochMilli();
        // a copy of an event passed on is dropped whatever the tenant's rules say now: the first copy counts
        if (seen.contains(record.partition(), tenant.id(), raw.eventId(), receivedAt)) {
            return Enrichment.skipped(tenant.id(), Outcome.DUPLICATE);
        }
        EventRules tenantRules = rulesOf(tenant);
        boolean filtered = tenantRules.filtersOut(raw.type());
        boolean sampledOut = !filtered && tenantRules.samplesOut(raw.type(), raw.eventId());
        ObjectNode properties = raw.properties() instanceof ObjectNode object ? object : json.createObjectNode();
        Instant eventTime = raw.eventTime();
        Duration lag = Duration.between(eventTime, raw.receivedAt());
        // late by how long the client held the event, not by when we process it: a replay routes alike
        boolean late = lag.compareTo(lateAfter) > 0;
        Quality quality = Quality.NONE;
        if (!filtered && !sampledOut) {
            List<String> violations = new ArrayList<>(0);
            quality = tenantRules.check(raw.type(), properties, violations).with(QualityRule.LATE_AFTER, !late);
            if (!violations.isEmpty()) {
                throw new RuleViolationException(tenant.id(), String.join("; ", violations), quality);
            }
        }
        // before any state changes (a derived session): a paused tenant's events wait in the DLQ as they came
        TenantCircuitBreaker.Opening pausing = breaker.pausing(tenant.id(), now);
        if (pausing != null) {
            throw new TenantPausedException(pausing);
        }
        if (filtered || sampledOut) {
            return Enrichment.skipped(tenant.id(), filtered ? Outcome.FILTERED : Outcome.SAMPLED_OUT);
        }
        seen.add(record.partition(), tenant.id(), raw.eventId(), receivedAt);

        UserAgents.Agent agent = userAgents.parse(properties.path("user_agent").isTextual()
                ? properties.get("user_agent").textValue() : raw.userAgent());
        ZonedDateTime utc = eventTime.atZone(ZoneOffset.UTC);
        boolean deriveSession = raw.sessionId() == null && raw.userId() != null;
        EnrichedEvent enriched = EnrichedEvent.newBuilder()
                .setTenantId(tenant.id())
                .setEventId(raw.eventId())
                .setType(raw.type())
                .setEventTime(eventTime)
                .setReceivedAt(raw.receivedAt())
                .setUserId(raw.userId())
                .setSessionId(deriveSession
                        ? sessions.sessionOf(record.partition(), raw.partitionKey(), eventTime.toEpochMilli())
                        : raw.sessionId())
                .setSessionDerived(deriveSession)
                .setProperties(tenantRules.transform(properties).toString())
                .setTags(tenantRules.tags())
                .setIngestLagMs(lag.toMillis())
                .setRulesVersion(tenant.rulesVersion())
                .setBrowser(agent.browser())
                .setBrowserVersion(agent.browserVersion())
                .setOs(agent.os())
                .setOsVersion(agent.osVersion())
                .setDeviceClass(agent.deviceClass())
                .setEventDate(utc.toLocalDate())
                .setEventHour(utc.getHour())
                .setEventWeekday(utc.getDayOfWeek().getValue())
                .setRawPartition(record.partition())
                .setRawOffset(record.offset())
                .build();
        return new Enrichment(tenant.id(), late ? Outcome.LATE : Outcome.ENRICHED, enriched, quality);
    }

    /** The tenant a record claims, when it is readable enough to tell; for dead letters. */
    public String tenantOf(String value) {
        try {
            return json.readTree(value).path("tenant_id").textValue();
        } catch (JacksonException | RuntimeException e) {
            return null;
        }
    }

    private EventRules rulesOf(Tenant tenant) throws RuleViolationException {
        try {
            return rules.rulesOf(tenant);
        } catch (InvalidRulesException e) {
            throw new RuleViolationException(tenant.id(), "The tenant's saved rules (version " + tenant.rulesVersion()
                    + ") cannot be applied: " + e.getMessage(), Quality.NONE);
        }
    }

    private RawEvent read(String value) throws InvalidRawEventException {
        if (value == null) {
            throw new InvalidRawEventException("The record has no value", null);
        }
        RawEvent raw;
        try {
            raw = json.readValue(value, RawEvent.class);
        } catch (JacksonException e) {
            throw new InvalidRawEventException("Not a raw event: " + e.getOriginalMessage(), e);
        }
        if (raw.tenantId() == null || raw.eventId() == null || raw.type() == null || raw.receivedAt() == null) {
            throw new InvalidRawEventException("A raw event needs tenant_id, event_id, type and received_at", null);
        }
        try {
            UUID.fromString(raw.eventId());
        } catch (IllegalArgumentException e) {
            throw new InvalidRawEventException("A raw event's event_id must be a UUID, not '" + raw.eventId() + "'", null);
        }
        if (raw.properties() != null && !(raw.properties() instanceof ObjectNode) && !raw.properties().isNull()) {
            throw new InvalidRawEventException("A raw event's properties must be a JSON object", null);
        }
        return raw;
    }
}
