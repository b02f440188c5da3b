package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.event.EventError;

import java.util.List;

/** The 202 body: how many events were accepted (and their ids, in request order) and why the others were not. */
public record IngestResponse(int accepted, int rejected, List<String> ids, List<EventError> errors) {
}
