package io.freshet.router.deadletter;

import java.util.UUID;

/** The event a dead letter is about: a tenant's event id. */
public record LetteredEvent(String tenantId, UUID eventId) {
}
