package io.freshet.sources.mqtt;

import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.MqttTopics;
import io.freshet.sources.config.SourcesConfig;
import io.freshet.sources.intake.SourceEvent;
import io.freshet.sources.intake.SourceIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mqtt.MqttClient;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Devices' events from the MQTT broker to freshet.events.raw, exactly once: the service subscribes to
 * {@code freshet/#} at QoS 1 on a persistent session and acknowledges a message (PUBACK) only once Kafka has its event.
 * What it had not acknowledged when it stopped, the broker sends again, and {@link MqttDeliveries} gives it the id it
 * had; what arrives while it is away, the broker keeps for the session.
 * <p>
 * Messages are written in batches (a Mutiny stream grouped by size and time), one batch at a time, in order.
 */
@ApplicationScoped
public class MqttSubscription {

    private static final Logger LOG = Logger.getLogger(MqttSubscription.class);
    static final String SOURCE = "mqtt";
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final int MAX_WAITING_BATCHES = 10_000;
    private static final Duration READY_CHECK = Duration.ofMillis(200);

    private final SourcesConfig.Mqtt config;
    private final Vertx vertx;
    private final MqttEvents events;
    private final SourceIntake intake;
    private final KafkaConnection kafka;
    private final TenantRegistry tenants;
    private final BrokerAuthFiles brokerUsers;
    private final Timer batchWrites;
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile boolean streaming = true;
    private volatile MqttDeliveries deliveries;
    private volatile MultiEmitter<? super MqttPublishMessage> received;
    private volatile MqttClient client;

    public MqttSubscription(SourcesConfig config, Vertx vertx, MqttEvents events, SourceIntake intake, KafkaConnection kafka,
                            TenantRegistry tenants, BrokerAuthFiles brokerUsers, MeterRegistry meters) {
        this.config = config.mqtt();
        this.vertx = vertx;
        this.events = events;
        this.intake = intake;
        this.kafka = kafka;
        this.tenants = tenants;
        this.brokerUsers = brokerUsers;
        this.batchWrites = Timer.builder("freshet.sources.mqtt.batch.write")
                .description("Time to write a batch of MQTT messages to Kafka, before they are acknowledged to the broker")
                .publishPercentileHistogram().register(meters);
        meters.gauge("freshet.sources.mqtt.connected", connected, c -> c.get() ? 1 : 0);
    }

    void start(@Observes StartupEvent start) {
        if (!config.enabled()) {
            LOG.info("MQTT is off (freshet.sources.mqtt.enabled=false)");
            return;
        }
        Multi.createFrom().<MqttPublishMessage>emitter(emitter -> received = emitter)
                .group().intoLists().of(config.batchSize(), config.batchWait())
                // batches wait here while one is written; the broker's in-flight window bounds them
                .onOverflow().buffer(MAX_WAITING_BATCHES)
                .onItem().transformToUniAndConcatenate(this::write)
                .subscribe().with(this::acknowledge, failure -> {
                    streaming = false;
                    LOG.error("The MQTT stream stopped: nothing is acknowledged any more (readiness is down)", failure);
                });
        // the session resumes once the recorded deliveries are read (on a worker: Kafka may take a while), every
        // tenant known at start is (a message of a tenant not read yet would be dead-lettered as unknown) and the
        // broker has this service's user
        Uni.createFrom().item(() -> MqttDeliveries.restore(kafka, config.clientId()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().invoke(e -> LOG.warnf("Cannot read the MQTT deliveries yet (%s); trying again", e.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10)).indefinitely()
                .call(restored -> Multi.createFrom().ticks().every(READY_CHECK)
                        .filter(tick -> tenants.isCaughtUp() && brokerUsers.brokerKnowsThisService()).toUni())
                .subscribe().with(restored -> {
                    deliveries = restored;
                    connect();
                });
    }

    /** True once the session is up and the recorded deliveries are read: messages flow to Kafka. */
    public boolean ready() {
        return !config.enabled() || connected.get() && streaming;
    }

    private void connect() {
        if (stopping) {
            return;
        }
        URI broker = URI.create(config.url());
        var options = new MqttClientOptions();
        options.setAutoAck(false); // a message is acknowledged once Kafka has its event (acknowledge)
        options.setClientId(config.clientId())
                .setCleanSession(false) // the broker keeps the session's messages while this service is away
                .setUsername(config.username())
                .setPassword(config.password().orElse(null))
                .setSsl(broker.getScheme().equals("ssl") || broker.getScheme().equals("mqtts"))
                .setAutoKeepAlive(true)
                .setKeepAliveInterval(30)
                .setReconnectAttempts(0);
        MqttClient next = MqttClient.create(vertx, options);
        next.publishHandler(message -> received.emit(message));
        next.closeHandler(() -> {
            connected.set(false);
            if (!stopping) {
                LOG.warnf("Lost the MQTT broker at %s; reconnecting", config.url());
                reconnectLater();
            }
        });
        client = next;
        next.connect(broker.getPort(), broker.getHost())
                .chain(ack -> next.subscribe(MqttTopics.ALL, MqttQoS.AT_LEAST_ONCE.value()))
                .subscribe().with(granted -> {
                    if (granted == null || granted != MqttQoS.AT_LEAST_ONCE.value()) {
                        LOG.errorf("The broker at %s refused %s at QoS 1 to user %s (granted: %s): check its ACL",
                                config.url(), MqttTopics.ALL, config.username(), granted);
                    }
                    connected.set(true);
                    LOG.infof("Subscribed to %s at %s as %s (session %s)", MqttTopics.ALL, config.url(),
                            config.username(), config.clientId());
                }, failure -> {
                    LOG.warnf("Cannot connect to the MQTT broker at %s as %s: %s; trying again", config.url(),
                            config.username(), failure.getMessage());
                    reconnectLater();
                });
    }

    private void reconnectLater() {
        vertx.setTimer(RECONNECT_DELAY.toMillis(), id -> connect());
    }

    /** Writes a batch's events (after the ids given to them), trying again until Kafka has them; emits the batch then. */
    private Uni<List<MqttPublishMessage>> write(List<MqttPublishMessage> batch) {
        long start = System.nanoTime();
        List<ProducerRecord<String, byte[]>> idRecords = new ArrayList<>();
        List<SourceEvent> batchEvents = new ArrayList<>(batch.size());
        for (MqttPublishMessage message : batch) {
            batchEvents.add(events.of(message, deliveries, idRecords));
        }
        Uni<Void> eventWrite = intake.write(SOURCE, batchEvents);
        return intake.send(idRecords).chain(() -> eventWrite)
                .onFailure().invoke(e -> LOG.warnf("Writing %d MQTT messages to Kafka failed (%s); trying again, "
                        + "the broker keeps them meanwhile", batch.size(), e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely()
                .invoke(() -> batchWrites.record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                .replaceWith(batch);
    }

    /**
     * Kafka has the batch: the broker may drop it, and the guard may let as much in again. A message of a lost
     * connection is sent again by the broker.
     */
    private void acknowledge(List<MqttPublishMessage> batch) {
        for (MqttPublishMessage message : batch) {
            try {
                message.ack();
            } catch (RuntimeException e) {
                LOG.debugf("Acknowledging MQTT packet %d failed: %s", message.messageId(), e.toString());
            }
        }
        MqttClient current = client;
        if (current != null && current.isConnected()) {
            current.publish(GuardReports.TOPIC, GuardReports.of(batch), MqttQoS.AT_MOST_ONCE, false, false)
                    .subscribe().with(id -> { }, e -> LOG.debugf("Reporting a batch to the broker's guard failed: %s", e));
        }
    }

    void stop(@Observes ShutdownEvent stop) {
        stopping = true;
        MqttClient current = client;
        if (current != null && current.isConnected()) {
            current.disconnectAndAwait();
        }
    }
}
