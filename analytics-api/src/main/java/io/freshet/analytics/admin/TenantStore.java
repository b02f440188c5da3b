package io.freshet.analytics.admin;

import io.freshet.analytics.endpoint.AnalyticsException;
import jakarta.ws.rs.core.Response.Status;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.tenant.SourcePasswords;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.OutgoingMessageMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;

/**
 * Writes tenant changes to the compacted topic freshet.tenants and waits until this instance's
 * {@link TenantRegistry} has read them back, so a caller can use a new key as soon as it gets it. No database
 * password reaches the topic in clear: each is encrypted on its way ({@link SourcePasswords}), those stored in clear
 * before included.
 */
@ApplicationScoped
public class TenantStore {

    /** freshet.tenants, keyed by tenant id (application.properties). */
    static final String CHANNEL = "tenant-changes";
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final MutinyEmitter<String> changes;
    private final TenantRegistry registry;
    private final ObjectMapper json;
    private final SourcePasswords passwords;

    public TenantStore(@Channel(CHANNEL) MutinyEmitter<String> changes, TenantRegistry registry, ObjectMapper json,
                       SourcePasswords passwords) {
        this.changes = changes;
        this.registry = registry;
        this.json = json;
        this.passwords = passwords;
    }

    /** The tenant with this id, or a 404 naming it. */
    public Tenant existing(String id) {
        return registry.find(id).orElseThrow(() ->
                new AnalyticsException(Status.NOT_FOUND, "tenant_not_found", "No tenant '" + id + "'"));
    }

    /** Stores the tenant and returns once the registry reflects it. */
    public synchronized void save(Tenant tenant) {
        RecordMetadata written = write(passwords.sealed(tenant));
        try {
            if (!registry.awaitApplied(written.partition(), written.offset(), WRITE_TIMEOUT)) {
                throw unavailable("the tenant was stored but not yet visible");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    /** Returns once Kafka acknowledged the record (acks=all), with where it landed. */
    private RecordMetadata write(Tenant tenant) {
        var written = new OutgoingMessageMetadata<RecordMetadata>();
        try {
            changes.sendMessage(Message.of(json.writeValueAsString(tenant))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(tenant.id()).build())
                    .addMetadata(written)).await().atMost(WRITE_TIMEOUT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tenant always serializes", e);
        } catch (io.smallrye.mutiny.TimeoutException e) {
            throw unavailable("Kafka did not take the write within " + WRITE_TIMEOUT.toSeconds() + " s");
        } catch (RuntimeException e) {
            throw unavailable("Kafka did not take the write: " + e.getMessage());
        }
        return written.getResult();
    }

    /** The tenant topic could not take a change in time: nothing the caller did wrong, retry later (503). */
    private static AnalyticsException unavailable(String why) {
        return new AnalyticsException(Status.SERVICE_UNAVAILABLE, "tenant_store_unavailable", "Tenant change not confirmed: " + why);
    }
}
