package io.freshet.eventmodel.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Tenants written into the tenant registry's in-memory channel as freshet.tenants records, each at the next offset;
 * {@link #create} returns once the registry applied the record.
 */
public final class InMemoryTenants {

    public static final String CHANNEL = TenantRegistry.CHANNEL;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    /** Across the tests of a JVM, as a partition's offsets: never back, so a test's registry never sees a smaller one. */
    private static final AtomicLong NEXT_OFFSET = new AtomicLong();

    private final InMemorySource<ConsumerRecord<String, String>> source;
    private final TenantRegistry registry;

    public InMemoryTenants(InMemoryConnector connector, TenantRegistry registry) {
        this.source = connector.source(CHANNEL);
        this.registry = registry;
    }

    /** A tenant with the default rate limit and these rules (null: none); its API key is returned with it. */
    public Created create(String prefix, JsonNode rules) {
        String id = TestTenants.newId(prefix);
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        Tenant created = Tenant.create(id, prefix, ApiKeys.hash(apiKey), now);
        Tenant tenant = rules == null ? created : created.withRules(rules, now);
        long offset = send(id, tenant);
        return new Created(tenant, apiKey, offset);
    }

    /** A tombstone: the tenant is deleted. */
    public void delete(String id) {
        send(id, null);
    }

    private long send(String id, Tenant tenant) {
        long offset = NEXT_OFFSET.getAndIncrement();
        try {
            source.send(new ConsumerRecord<>(Topics.TENANTS, 0, offset, id, tenant == null ? null : JSON.writeValueAsString(tenant)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.awaitApplied(offset, Duration.ZERO));
        return offset;
    }

    /** @param offset the tenants record's offset, which the gateway puts on the tenant's raw records */
    public record Created(Tenant tenant, String apiKey, long offset) {
        public String id() {
            return tenant.id();
        }

        public String bearer() {
            return "Bearer " + apiKey;
        }
    }
}
