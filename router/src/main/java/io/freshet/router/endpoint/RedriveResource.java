package io.freshet.router.endpoint;

import io.freshet.eventmodel.http.ApiException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.freshet.router.deadletter.DeadLetterFilter;
import io.freshet.router.deadletter.InvalidFilterException;
import io.freshet.router.redrive.DeadLetterRedrive;
import io.freshet.router.redrive.RedriveRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;


/**
 * {@code POST /v1/admin/dlq/redrives} starts a redrive of dead letters (202, with its id);
 * {@code GET /v1/admin/dlq/redrives/{id}} shows its progress and result. Admin token required ({@link io.freshet.eventmodel.http.AdminAuthFilter}).
 */
@Path("/v1/admin/dlq/redrives")
@Produces(MediaType.APPLICATION_JSON)
public class RedriveResource {

    private final DeadLetterRedrive redrives;
    /** A misspelt field would widen the redrive to every letter: refused instead. */
    private final ObjectReader requests;

    public RedriveResource(DeadLetterRedrive redrives, ObjectMapper json) {
        this.redrives = redrives;
        this.requests = json.readerFor(RedriveRequest.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(String body) {
        DeadLetterFilter filter;
        try {
            RedriveRequest request = requests.readValue(body);
            if (request == null) {
                throw new InvalidFilterException("invalid_redrive", "Send a JSON object");
            }
            filter = request.filter();
        } catch (JacksonException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "invalid_redrive", "Send {\"tenant\": \"<id>\", \"since\": "
                    + "\"<ISO-8601 time>\", \"reason\": \"<code>\"}, each optional ({} for every letter): "
                    + e.getOriginalMessage());
        } catch (InvalidFilterException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, e.code(), e.getMessage());
        }
        return redrives.start(filter)
                .map(redrive -> Response.accepted(redrive).build())
                .orElseThrow(() -> new ApiException(Response.Status.CONFLICT, "redrive_running",
                        "Redrive " + redrives.running().orElse("?") + " is running; one runs at a time"));
    }

    @GET
    @Path("{id}")
    public Response status(@PathParam("id") String id) {
        return redrives.find(id).map(redrive -> Response.ok(redrive).build())
                .orElseThrow(() -> new ApiException(Response.Status.NOT_FOUND, "unknown_redrive", "No redrive " + id + " on this router"));
    }
}
