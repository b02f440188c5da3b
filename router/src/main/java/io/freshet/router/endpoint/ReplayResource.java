package io.freshet.router.endpoint;

import io.freshet.eventmodel.http.ApiException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.router.replay.EventReplay;
import io.freshet.router.replay.ReplayRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;


/**
 * {@code POST /v1/admin/replays} starts a replay (202, with its id); {@code GET /v1/admin/replays/{id}} shows its
 * progress. Admin token required ({@link io.freshet.eventmodel.http.AdminAuthFilter}).
 */
@Path("/v1/admin/replays")
@Produces(MediaType.APPLICATION_JSON)
public class ReplayResource {

    private final EventReplay replays;
    private final ObjectMapper json;

    public ReplayResource(EventReplay replays, ObjectMapper json) {
        this.replays = replays;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(String body) {
        ReplayRequest request;
        try {
            request = json.readValue(body, ReplayRequest.class);
            if (request == null) {
                throw new IllegalArgumentException("Send a JSON object");
            }
            request.validate();
        } catch (JacksonException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "invalid_replay", "Send {\"tenant\": \"<id, optional>\", "
                    + "\"from\": \"<ISO-8601 time>\"} or {\"from_offset\": <n>}: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "invalid_replay", e.getMessage());
        }
        return replays.start(request)
                .map(replay -> Response.accepted(replay).build())
                .orElseThrow(() -> new ApiException(Response.Status.CONFLICT, "replay_running",
                        "Replay " + replays.running().orElse("?") + " is running; one runs at a time"));
    }

    @GET
    @Path("{id}")
    public Response status(@PathParam("id") String id) {
        return replays.find(id).map(replay -> Response.ok(replay).build())
                .orElseThrow(() -> new ApiException(Response.Status.NOT_FOUND, "unknown_replay", "No replay " + id + " on this router"));
    }
}
