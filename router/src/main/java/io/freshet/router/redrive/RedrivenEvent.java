package io.freshet.router.redrive;

import io.freshet.eventmodel.event.RawEvent;
import io.freshet.router.storage.StoredEvents;

/** An event a redrive may send back to freshet.events.raw: its payload as the gateway wrote it, read as a raw event. */
record RedrivenEvent(StoredEvents.Key key, RawEvent event, String payload) {
}
