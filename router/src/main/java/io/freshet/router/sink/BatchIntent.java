package io.freshet.router.sink;

import java.util.Optional;

/**
 * The offsets of one partition's batch, [first, last], as the router commits it in the partition's offset
 * metadata before it inserts the batch. A router that takes the partition over after a crash finds it there
 * and re-forms exactly that batch, so the retried insert carries the same deduplication token and ClickHouse
 * drops it if the first one had landed.
 */
public record BatchIntent(long first, long last) {

    private static final String PREFIX = "inserting:";

    public String encode() {
        return PREFIX + first + "-" + last;
    }

    /** The intent in a committed offset's metadata; none for a partition whose last batch was completed. */
    public static Optional<BatchIntent> decode(String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dash = metadata.indexOf('-', PREFIX.length());
        return Optional.of(new BatchIntent(Long.parseLong(metadata.substring(PREFIX.length(), dash)),
                Long.parseLong(metadata.substring(dash + 1))));
    }

    /** Identical for every attempt at this batch, by whichever router instance. */
    public String deduplicationToken(String topic, int partition) {
        return topic + "-" + partition + ":" + first + "-" + last;
    }
}
