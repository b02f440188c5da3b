package io.freshet.router.deadletter;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a dead letter's payload tells about its event, for either stage's letters. */
@ApplicationScoped
public class LetterPayloads {

    /** A router letter's payload is an enriched record's Avro text ({@code toString}), which need not be JSON (NaN, bytes). */
    private static final Pattern AVRO_EVENT_ID = Pattern.compile("\"event_id\": \"([0-9a-fA-F-]{36})\"");

    private final ObjectMapper json;

    public LetterPayloads(ObjectMapper json) {
        this.json = json;
    }

    /**
     * The raw event of a letter from freshet.events.raw, when it names its tenant, its event id (a UUID) and when
     * the gateway received it: all a redrive needs to key it and to ask ClickHouse for it.
     */
    public Optional<RawEvent> rawEvent(DeadLetter letter) {
        if (!Topics.RAW.equals(letter.sourceTopic()) || letter.payload() == null) {
            return Optional.empty();
        }
        RawEvent raw;
        try {
            raw = json.readValue(letter.payload(), RawEvent.class);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        boolean keyed = raw != null && raw.tenantId() != null && Tenant.ID_PATTERN.matcher(raw.tenantId()).matches()
                && uuid(raw.eventId()).isPresent() && raw.receivedAt() != null;
        return keyed ? Optional.of(raw) : Optional.empty();
    }

    /** The event a letter is about: its raw event's, or the tenant and event id of an enriched record's letter. */
    public Optional<LetteredEvent> eventOf(DeadLetter letter) {
        if (Topics.RAW.equals(letter.sourceTopic())) {
            return rawEvent(letter).map(raw -> new LetteredEvent(raw.tenantId(), UUID.fromString(raw.eventId())));
        }
        if (letter.tenantId() == null || letter.payload() == null) {
            return Optional.empty();
        }
        Matcher id = AVRO_EVENT_ID.matcher(letter.payload());
        return id.find() ? uuid(id.group(1)).map(eventId -> new LetteredEvent(letter.tenantId(), eventId)) : Optional.empty();
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
