package io.freshet.eventmodel.topic;

import io.freshet.eventmodel.config.SharedConfig;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the pipeline's topics that do not exist yet, with explicit partition counts, before the
 * service starts consuming, and sets the configs of the spec on those that do (an installation made by an
 * older version gets the new ones). Every service runs it, so any start order works; on a cluster where the
 * topics are managed elsewhere (Strimzi) it does nothing.
 */
@ApplicationScoped
public class TopicProvisioner {

    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);

    private final KafkaConnection kafka;
    private final short replicationFactor;
    private final boolean create;

    public TopicProvisioner(KafkaConnection kafka, SharedConfig config) {
        this.kafka = kafka;
        this.replicationFactor = config.topics().replicationFactor();
        this.create = config.topics().create();
    }

    void onStart(@Observes @Priority(1) StartupEvent event) throws InterruptedException {
        if (!create) {
            return; // the cluster's operator makes them (Strimzi), or a test has no Kafka
        }
        try (Admin admin = Admin.create(kafka.admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            alignConfigs(admin, existing);
            var missing = Topics.ALL.stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.configs()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    LOG.infof("Created topic %s", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another service won the race otherwise
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create the pipeline's topics on Kafka at " + kafka.bootstrapServers()
                    + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** The spec's configs on the existing topics (setting a config to the value it has changes nothing). */
    private static void alignConfigs(Admin admin, Set<String> existing) throws InterruptedException {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (TopicSpec spec : Topics.ALL) {
            if (existing.contains(spec.name()) && !spec.configs().isEmpty()) {
                changes.put(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()), spec.configs().entrySet().stream()
                        .map(config -> new AlterConfigOp(new ConfigEntry(config.getKey(), config.getValue()), AlterConfigOp.OpType.SET))
                        .toList());
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        try {
            admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the topics work as they are, only restoring their state reads more: not a reason to stop
            LOG.warnf("Cannot set the configs of the existing topics %s: %s", changes.keySet().stream().map(ConfigResource::name).toList(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
    }
}
