package io.freshet.eventmodel.topic;

/**
 * Reactive Messaging channel names. Each channel is bound to its topic (see {@link Topics}) in the
 * service's application.properties.
 */
public final class Channels {

    public static final String ENRICHED = "events-enriched";

    private Channels() {
    }
}
