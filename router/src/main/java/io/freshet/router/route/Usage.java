package io.freshet.router.route;

/** A tenant's usage: events and their bytes. */
public record Usage(long events, long bytes) {

    public Usage plus(Usage other) {
        return new Usage(events + other.events, bytes + other.bytes);
    }
}
