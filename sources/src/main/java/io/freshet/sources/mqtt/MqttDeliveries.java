package io.freshet.sources.mqtt;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.kafka.TopicReaders;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The event ids given to the MQTT messages of this service's broker session, kept in the compacted topic
 * freshet.sources.mqtt-deliveries (keyed by session and packet id) before the events are written.
 * <p>
 * A message without an {@code event_id} gets a new one, unless the broker is sending it again: a message this service
 * wrote but had not acknowledged when it stopped comes again on the same session with the same packet id and the DUP
 * flag, and gets the id recorded for that packet. A packet id alone cannot name a message: the broker reuses each of
 * the 65,535 after as many others. So a recorded id is taken again only for the same topic and payload and only when
 * it is among the last {@value #RESEND_WINDOW} deliveries, far more than a broker keeps in flight.
 */
public class MqttDeliveries {

    private static final Logger LOG = Logger.getLogger(MqttDeliveries.class);
    /** Half the packet id space: a resent message is always within it, the previous use of its packet id never. */
    static final long RESEND_WINDOW = 32_768;

    /** What was given to one packet id: when (the delivery's sequence number), for what, and which event id. */
    record Delivery(long sequence, String digest, String eventId) {

        static Delivery parse(String value) {
            String[] fields = value.split(" ", 3);
            return new Delivery(Long.parseLong(fields[0]), fields[1], fields[2]);
        }

        String format() {
            return sequence + " " + digest + " " + eventId;
        }
    }

    private final String session;
    private final Map<Integer, Delivery> byPacketId;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
    private long sequence;

    MqttDeliveries(String session, Map<Integer, Delivery> byPacketId) {
        this.session = session;
        this.byPacketId = byPacketId;
        this.sequence = byPacketId.values().stream().mapToLong(Delivery::sequence).max().orElse(0);
    }

    /** The deliveries of this session recorded so far, read to the topic's end. */
    static MqttDeliveries restore(KafkaConnection kafka, String session) {
        var byPacketId = new HashMap<Integer, Delivery>();
        var partition = new TopicPartition(Topics.SOURCES_MQTT_DELIVERIES, 0);
        String prefix = session + "/";
        try (KafkaConsumer<String, String> reader = TopicReaders.reader(kafka, "sources-mqtt-deliveries")) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition)).get(partition);
            while (reader.position(partition) < end) {
                for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && record.key().startsWith(prefix) && record.value() != null) {
                        byPacketId.put(Integer.parseInt(record.key().substring(prefix.length())), Delivery.parse(record.value()));
                    }
                }
            }
        }
        LOG.infof("MQTT session %s: %d recorded deliveries restored", session, byPacketId.size());
        return new MqttDeliveries(session, byPacketId);
    }

    /**
     * The event id for a message without one of its own; a new id is added to {@code records}, to be written before
     * the event is.
     */
    String eventIdOf(int packetId, boolean resent, String digest, List<ProducerRecord<String, byte[]>> records) {
        Delivery recorded = byPacketId.get(packetId);
        if (resent && recorded != null && recorded.digest().equals(digest) && sequence - recorded.sequence() < RESEND_WINDOW) {
            return recorded.eventId();
        }
        var delivery = new Delivery(++sequence, digest, ids.generate().toString());
        byPacketId.put(packetId, delivery);
        records.add(new ProducerRecord<>(Topics.SOURCES_MQTT_DELIVERIES, session + "/" + packetId,
                delivery.format().getBytes(StandardCharsets.UTF_8)));
        return delivery.eventId();
    }
}
