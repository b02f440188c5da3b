package io.freshet.analytics.stats;

import java.time.Instant;

/** Events of one type in one time bucket, and how many distinct users sent them. */
public record CountBucket(Instant start, String type, long count, long users) {
}
