package io.freshet.analytics.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz-style: every method, path variant, query string, credential and odd body against all four services. Whatever
 * the request, the answer is never a 5xx and never shows a stack trace, and every refusal carries
 * {@code {"error":{"code","message"}}}.
 */
class HttpContractIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A stack frame or Quarkus's error page, in any answer. */
    private static final Pattern STACK_TEXT = Pattern.compile("\\tat |at (io|java|org|com)\\.[\\w.]+\\(|Stack:");
    /** In a refusal also a qualified exception class (an answer's data, e.g. dead letters, may name one; GraphQL's
     * own error classifications are unqualified). */
    private static final Pattern EXCEPTION_CLASS = Pattern.compile("(io|java|org|com)\\.[\\w.]+(Exception|Error)\\b");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    private static final List<String> BODIES = List.of("", "{", "null", "[]", "{\"type\":1}", "\u0000\u00ff binary",
            "[" + "[".repeat(200) + "]".repeat(200) + "]");
    private static final Map<String, List<String>> PATHS = Map.of(
            LocalStack.ingestUrl(), List.of("/v1/events", "/v1/event", "/v1/batch", "/v1/track"),
            LocalStack.enricherUrl(), List.of("/v1/events", "/v1/admin"),
            LocalStack.routerUrl(), List.of("/v1/admin/replays", "/v1/admin/replays/nope", "/v1/admin/dlq"),
            LocalStack.analyticsUrl(), List.of("/v1/stats/counts", "/v1/stats/users", "/v1/stats/top", "/v1/stats/funnel",
                    "/v1/stats/nope", "/v1/events", "/graphql", "/v1/admin/tenants", "/v1/admin/tenants/nope/rules",
                    "/v1/admin/tenants/nope/keys", "/v1/admin/tenants/nope/limits", "/v1/admin/tenants/nope/api-keys",
                    "/v1/admin/tenants/nope/api-keys/key_nope/rotate", "/v1/admin/tenants/nope/origins"));
    private static final List<String> EVERYWHERE = List.of("", "/", "/nope", "/v2/events", "/q/nope", "/v1/../v1/events",
            "/q/health/ready", "/q/metrics");
    private static final List<String> QUERIES = List.of("", "?", "?x=1", "?from=yesterday&to=1900-01-01T00:00:00Z",
            "?from=1900-01-01T00:00:00Z&to=1900-01-02T00:00:00Z&interval=hour", "?interval=week&limit=-1&type=%00",
            "?limit=99999999999999999999&dimension=property.a.b.c&cursor=garbage&steps=,,&window=P1000Y");

    /** Every credential tries every path and method; the valid ones, which get past authentication, every variant. */
    private static List<String> credentials;
    private static List<String> valid;

    @BeforeAll
    static void keys() {
        valid = List.of(TestTenants.create("fuzz").bearer(), "Bearer " + LocalStack.adminToken());
        credentials = List.of("", "Bearer fsk_unknown", "Basic Zm9vOmJhcg==", valid.get(0), valid.get(1));
    }

    @Test
    void noRequestGetsA5xxOrAStackTraceAndEveryRefusalHasTheErrorBody() throws Exception {
        List<Callable<String>> requests = new ArrayList<>();
        for (var service : PATHS.entrySet()) {
            List<String> paths = new ArrayList<>(EVERYWHERE);
            service.getValue().forEach(path -> paths.addAll(List.of(path, path + "/")));
            for (String path : paths) {
                for (String method : METHODS) {
                    for (String credential : credentials) {
                        for (String variant : valid.contains(credential) ? variants(method, path) : List.of(path)) {
                            if (streamsForever(method, path, credential)) {
                                continue;
                            }
                            String target = service.getKey() + variant;
                            requests.add(() -> {
                                String problem = check(method, target, credential);
                                return problem == null ? null : method + " " + target + " (" + shown(credential) + "): " + problem;
                            });
                        }
                    }
                }
            }
        }
        List<String> broken = new ArrayList<>();
        // three at a time, as a few clients would send them: the same answers, in a third of the time
        try (var clients = Executors.newFixedThreadPool(3)) {
            for (Future<String> answer : clients.invokeAll(requests)) {
                if (answer.get() != null) {
                    broken.add(answer.get());
                }
            }
        }
        int sent = requests.size();
        assertTrue(sent > 5000, "sent " + sent);
        assertEquals(List.of(), broken.stream().limit(40).toList(), broken.size() + " of " + sent + " answers broke the contract");
    }

    /** The odd bodies on the methods that carry one, the query strings on the others. */
    private static List<String> variants(String method, String path) {
        List<String> variants = new ArrayList<>();
        if (List.of("POST", "PUT", "PATCH").contains(method)) {
            BODIES.forEach(body -> variants.add(path + "\n" + body));
        } else {
            QUERIES.forEach(query -> variants.add(path + query));
        }
        return variants;
    }

    /** The dashboard's event stream answers an operator for as long as they listen. */
    private static boolean streamsForever(String method, String path, String credential) {
        return path.startsWith("/v1/admin/dashboard/stream") && credential.contains(LocalStack.adminToken());
    }

    /** Null when the answer keeps the contract, else what is wrong with it. */
    private static String check(String method, String target, String credential) throws Exception {
        int newline = target.indexOf('\n');
        String uri = newline < 0 ? target : target.substring(0, newline);
        String body = newline < 0 ? "" : target.substring(newline + 1);
        var request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(15))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (!credential.isEmpty()) {
            request.header("Authorization", credential);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        String text = response.body();
        if (status >= 500) {
            return "status " + status + ": " + cut(text);
        }
        if (STACK_TEXT.matcher(text).find() || status >= 400 && EXCEPTION_CLASS.matcher(text).find()) {
            return "stack text: " + cut(text);
        }
        if (status >= 400 && !method.equals("HEAD") && !uri.contains("/graphql")) {
            JsonNode error;
            try {
                error = JSON.readTree(text).path("error");
            } catch (Exception e) {
                return "status " + status + " without a JSON body: " + cut(text);
            }
            if (!error.path("code").isTextual() || !error.path("message").isTextual()) {
                return "status " + status + " without error.code and error.message: " + cut(text);
            }
        }
        return null;
    }

    private static String shown(String credential) {
        return credential.isEmpty() ? "no key" : credential.contains(LocalStack.adminToken()) ? "admin token"
                : credential.startsWith("Bearer fsk_unknown") ? "unknown key" : credential.startsWith("Basic") ? "basic"
                : "tenant key";
    }

    private static String cut(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
