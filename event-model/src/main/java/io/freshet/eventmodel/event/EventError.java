package io.freshet.eventmodel.event;

/** Why one event of a request was rejected; {@code index} is its position in the request. */
public record EventError(int index, String code, String message) {
}
