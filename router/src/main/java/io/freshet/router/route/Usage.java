package io.freshet.router.route;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A tenant's usage: events and their bytes. */
@RegisterForReflection // JSON on the routes' internal topics (ObjectMapperSerde): native keeps its accessors
public record Usage(long events, long bytes) {

    public Usage plus(Usage other) {
        return new Usage(events + other.events, bytes + other.bytes);
    }
}
