package io.freshet.router.endpoint;

import io.freshet.eventmodel.http.ApiException;
import io.freshet.router.deadletter.DeadLetterFilter;
import io.freshet.router.deadletter.DeadLetterQueue;
import io.freshet.router.deadletter.InvalidFilterException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.KafkaException;


/**
 * {@code GET /v1/admin/dlq?tenant=&since=&reason=}: the dead letters on freshet.events.dlq, counted by stage and reason
 * and by tenant, with samples. Admin token required ({@link io.freshet.eventmodel.http.AdminAuthFilter}).
 */
@Path("/v1/admin/dlq")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

    private final DeadLetterQueue dlq;

    public DeadLetterResource(DeadLetterQueue dlq) {
        this.dlq = dlq;
    }

    @GET
    public Response list(@QueryParam("tenant") String tenant, @QueryParam("since") String since,
                         @QueryParam("reason") String reason) throws Exception {
        DeadLetterFilter filter;
        try {
            filter = DeadLetterFilter.of(tenant, since, reason);
        } catch (InvalidFilterException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, e.code(), e.getMessage());
        }
        try {
            return Response.ok(dlq.summary(filter)).build();
        } catch (KafkaException e) {
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "kafka_unavailable", "Could not read the DLQ: " + e.getMessage());
        }
    }
}
