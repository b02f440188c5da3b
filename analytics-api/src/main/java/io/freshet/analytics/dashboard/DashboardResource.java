package io.freshet.analytics.dashboard;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;

/**
 * {@code GET /v1/admin/dashboard/stream}: the live dashboard's server-sent events, one {@link PipelineSnapshot} a
 * second (admin token required). The page itself is {@code /dashboard/}.
 */
@Path("/v1/admin/dashboard")
public class DashboardResource {

    private final PipelineWatch pipeline;

    public DashboardResource(PipelineWatch pipeline) {
        this.pipeline = pipeline;
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<PipelineSnapshot> stream() {
        PipelineWatch.Watch watch = pipeline.watch();
        // the readings block (HTTP scrapes, ClickHouse): on a worker thread, one at a time
        return Multi.createFrom().ticks().every(Duration.ofSeconds(1))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> watch.next());
    }
}
