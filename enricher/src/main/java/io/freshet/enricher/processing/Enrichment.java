package io.freshet.enricher.processing;

import io.freshet.enricher.quality.Quality;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Topics;

/**
 * What became of one raw event: enriched for the real-time topic or the late one, or skipped on purpose by its
 * tenant's filter or sample rule, or dropped as a duplicate (then {@code event} is null).
 */
public record Enrichment(String tenantId, Outcome outcome, EnrichedEvent event, Quality quality) {

    public enum Outcome {
        ENRICHED(Topics.ENRICHED), LATE(Topics.LATE), FILTERED(null), SAMPLED_OUT(null),
        /** A copy of an event passed on within the dedup window (a client's retry, a second redrive). */
        DUPLICATE(null);

        private final String topic;
        private final String label = name().toLowerCase();

        Outcome(String topic) {
            this.topic = topic;
        }

        /** The topic the event goes to; null when it goes nowhere. */
        public String topic() {
            return topic;
        }

        public String label() {
            return label;
        }
    }

    static Enrichment skipped(String tenantId, Outcome outcome) {
        return new Enrichment(tenantId, outcome, null, Quality.NONE);
    }
}
