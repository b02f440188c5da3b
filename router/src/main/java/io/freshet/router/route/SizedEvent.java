package io.freshet.router.route;

import io.freshet.eventmodel.record.EnrichedEvent;

/** An enriched event and the size of its record in Kafka, which billing counts as the event's bytes. */
public record SizedEvent(EnrichedEvent event, int bytes) {
}
