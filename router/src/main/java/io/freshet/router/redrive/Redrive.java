package io.freshet.router.redrive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.freshet.router.deadletter.DeadLetterFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.Map;

/**
 * A redrive as the operator sees it. Of the letters {@code read} (those the filter took), each was {@code redriven}
 * (its payload sent back to freshet.events.raw), {@code alreadyStored} (freshet.events holds its event) or
 * {@code skipped} (by cause, then reason: a router letter's payload cannot go through raw, an unreadable payload, a
 * repeated letter of an event already taken). Of those redriven, each was {@code stored}, {@code deadLetteredAgain}
 * (with its new reason) or is still {@code pending} when following them ends at {@code followingUntil}.
 */
@RegisterForReflection // a Response entity, unseen by Quarkus: native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Redrive(String id, DeadLetterFilter request, State state, long read, long redriven, long alreadyStored,
                      long skipped, Map<String, Map<String, Long>> skippedByCause, long stored, long deadLetteredAgain,
                      Map<String, Long> deadLetteredAgainByReason, long pending, Instant followingUntil, String error,
                      Instant startedAt, Instant endedAt) {

    public enum State { RUNNING, DONE, FAILED }
}
