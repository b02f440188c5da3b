package io.freshet.enricher.processing;

import io.freshet.eventmodel.record.EnrichedEvent;

/** An enriched event and the topic it belongs on: the real-time one, or the late one for the historical path. */
public record Enrichment(String topic, EnrichedEvent event) {
}
