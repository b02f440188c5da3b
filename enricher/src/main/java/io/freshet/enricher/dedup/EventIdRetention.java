package io.freshet.enricher.dedup;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.topic.Topics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps freshet.enricher.event-ids as long as the dedup window needs and no longer (plus an hour), so an instance
 * without local state (a new pod) restores about a window's ids, not the topic's whole past. Segments roll once a
 * window, so old ones can be deleted even at a trickle.
 */
@ApplicationScoped
public class EventIdRetention {

    private final KafkaConnection kafka;
    private final Duration window;

    public EventIdRetention(KafkaConnection kafka, EnricherConfig config) {
        this.kafka = kafka;
        this.window = config.dedupWindow();
    }

    /** After the topics exist (priority 1), before enrichment starts. */
    void onStart(@Observes @Priority(3) StartupEvent event) throws InterruptedException {
        var topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ENRICHER_EVENT_IDS);
        var retention = List.of(
                new AlterConfigOp(new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE),
                        AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(window.plusHours(1).toMillis())), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG,
                        Long.toString(window.toMillis())), AlterConfigOp.OpType.SET));
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            admin.incrementalAlterConfigs(Map.of(topic, retention)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot set the retention of " + Topics.ENRICHER_EVENT_IDS + " to the dedup window ("
                    + window + "): " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }
}
