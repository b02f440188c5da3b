package io.freshet.sources.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.freshet.sources.intake.SourceEvent;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Row changes as Debezium's JSON gives them, as events: type, time, rows as properties, and ids from the position. */
class ChangeEventsTest {

    private final ChangeEvents changes = new ChangeEvents(new ObjectMapper());

    @Test
    void anUpdateBecomesAnEventWithTheRowsBeforeAndAfter() {
        SourceEvent event = changes.of("acme", "shop", change("{\"id\":1}", value("u", 1000, "{\"id\":1,\"qty\":3}",
                "{\"id\":1,\"qty\":5}"))).orElseThrow();

        assertEquals("acme", event.tenantId());
        assertEquals("db.orders.update", event.event().get("type").asText());
        assertEquals("2026-12-06T10:00:00Z", event.event().get("timestamp").asText(), "the commit's time");
        assertEquals("{\"id\":1,\"qty\":3}", event.event().at("/properties/before").toString());
        assertEquals("{\"id\":1,\"qty\":5}", event.event().at("/properties/after").toString());
        assertEquals("{\"schema\":\"public\",\"table\":\"orders\",\"lsn\":1000,\"tx_id\":7,\"snapshot\":false}",
                event.event().at("/properties/source").toString());
        assertEquals("postgres:acme/shop", event.origin());
    }

    @Test
    void aChangeReadAgainIsTheSameEventAndAnyOtherChangeAnother() {
        String id = idOf(change("{\"id\":1}", value("c", 1000, null, "{\"id\":1}")));

        assertEquals(id, idOf(change("{\"id\":1}", value("c", 1000, null, "{\"id\":1}"))), "after a restart");
        assertNotEquals(id, idOf(change("{\"id\":1}", value("c", 1001, null, "{\"id\":1}"))), "later in the log");
        assertNotEquals(id, idOf(change("{\"id\":2}", value("c", 1000, null, "{\"id\":2}"))), "another row of a snapshot");
        assertNotEquals(id, idOf(change("{\"id\":1}", value("d", 1000, "{\"id\":1}", null))), "another operation");
    }

    @Test
    void whatIsNoRowChangeIsNoEvent() {
        assertEquals(Optional.empty(), changes.of("acme", "shop", change("{\"id\":1}", null)), "a tombstone");
        assertEquals(Optional.empty(), changes.of("acme", "shop", change(null, value("t", 1000, null, null))), "a truncate");
        assertEquals("db.orders.snapshot", changes.of("acme", "shop", change("{\"id\":1}", value("r", 1000, null, "{\"id\":1}")))
                .orElseThrow().event().get("type").asText());
        assertTrue(changes.of("acme", "shop", change("{}", "not json")).orElseThrow().problem().startsWith("The change is not JSON"));
    }

    private String idOf(ChangeEvent<String, String> change) {
        return changes.of("acme", "shop", change).orElseThrow().event().get("event_id").asText();
    }

    private static String value(String op, long lsn, String before, String after) {
        return """
                {"before":%s,"after":%s,"source":{"connector":"postgresql","ts_ms":1796551200000,"snapshot":"false",
                "db":"demo","schema":"public","table":"orders","txId":7,"lsn":%d},"op":"%s","ts_ms":1796551200100}"""
                .formatted(before, after, lsn, op);
    }

    private static ChangeEvent<String, String> change(String key, String value) {
        return new ChangeEvent<>() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public String value() {
                return value;
            }

            @Override
            public String destination() {
                return "freshet_acme_shop.public.orders";
            }

            @Override
            public Integer partition() {
                return null;
            }
        };
    }
}
