package io.freshet.analytics.dashboard;

import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

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
        return pipeline.snapshots();
    }
}
