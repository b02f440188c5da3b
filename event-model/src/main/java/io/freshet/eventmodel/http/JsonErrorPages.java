package io.freshet.eventmodel.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * What the endpoints do not answer themselves gets the contract's error body too, on every service: an unknown path
 * (404), a body over the size limit (413, refused before it is read), any other refusal of the HTTP layer, and a
 * failure (500 with an id to find it in the log, never a stack trace).
 */
@ApplicationScoped
public class JsonErrorPages {

    private static final Logger LOG = Logger.getLogger(JsonErrorPages.class);

    /** Before every other filter: a body over the limit is refused before anything else looks at the request. */
    private static final int FIRST = 10_000;

    private final ObjectMapper json;
    private final long maxBody;

    public JsonErrorPages(ObjectMapper json,
                          @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBody) {
        this.json = json;
        this.maxBody = maxBody.asLongValue();
    }

    /** Quarkus refuses such a body with an empty 413; this one says why, first. */
    void bodyLimit(@Observes Filters filters) {
        filters.register(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19
                    && Long.parseLong(length) > maxBody) {
                context.response().putHeader(HttpHeaders.CONNECTION, "close"); // the body is not read
                write(context, 413, HttpErrorCodes.of(413), "The request body (" + length + " bytes) is over the limit of "
                        + maxBody + " bytes");
                return;
            }
            context.next();
        }, FIRST);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed); // before Quarkus's own error page
        router.errorHandler(404, context -> write(context, 404, HttpErrorCodes.of(404),
                HttpErrorCodes.message(404, context.request().method().name(), context.request().path())));
    }

    private void failed(RoutingContext context) {
        if (context.response().headWritten()) {
            context.next();
            return;
        }
        int status = context.statusCode();
        if (status >= 400 && status < 500) {
            write(context, status, HttpErrorCodes.of(status), HttpErrorCodes.message(status, context.request().method().name(),
                    context.request().path()));
            return;
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(context.failure(), "%s %s failed (error id %s)", context.request().method(), context.request().path(), id);
        write(context, status >= 500 ? status : 500, "internal_error",
                "The service failed to answer; its log has the details under error id " + id);
    }

    private void write(RoutingContext context, int status, String code, String message) {
        String body;
        try {
            body = json.writeValueAsString(ApiError.of(code, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error body always serializes", e);
        }
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}
