package io.freshet.router.replay;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * A replay as the operator sees it: what was asked, where it stands, and what it found: records read (of the
 * tenant asked for), rows restored (missing from ClickHouse, now stored), rows already present, rows dead-lettered.
 */
@RegisterForReflection // a Response entity, unseen by Quarkus: native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Replay(String id, ReplayRequest request, State state, long read, long restored, long present,
                     long deadLettered, String error, Instant startedAt, Instant endedAt) {

    public enum State { RUNNING, DONE, FAILED }
}
