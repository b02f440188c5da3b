package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `kill -9` of the gateway, twice, while clients send: each client retries a request that got no 202 (503, a reset
 * connection, a refused one while the gateway is down) with the same event ids, as a real client does. Afterwards
 * ClickHouse holds every event once: none of an acknowledged request is lost, and a request that was committed but
 * whose answer the crash swallowed is not stored twice.
 */
class GatewayKillIT {

    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 75;
    private static final int EVENTS_PER_REQUEST = 20;
    private static final int EVENTS = CLIENTS * REQUESTS_PER_CLIENT * EVENTS_PER_REQUEST;

    @Test
    void everyEventOfEveryRetriedRequestIsStoredOnceAcrossCrashes() throws Exception {
        var tenant = TestTenants.create("gateway-kill");
        var acknowledged = new AtomicInteger();
        var retries = new AtomicInteger();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor();
             var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build()) {
            List<Future<?>> sending = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                sending.add(clients.submit(() -> {
                    for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                        String body = body("u" + client);
                        while (!accepted(http, tenant.bearer(), body)) {
                            retries.incrementAndGet();
                            Thread.sleep(100);
                        }
                        acknowledged.addAndGet(EVENTS_PER_REQUEST);
                    }
                    return null;
                }));
            }
            for (int kill = 1; kill <= 2; kill++) {
                int progress = kill * EVENTS / 3;
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= progress);
                Freshet.kill("ingest-gateway");
                Freshet.run("up", "ingest-gateway");
            }
            for (Future<?> client : sending) {
                client.get();
            }
        }
        assertEquals(EVENTS, acknowledged.get());
        await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant.id()),
                "rows and distinct event ids after " + retries.get() + " retries");
    }

    private static String body(String user) {
        var events = new ArrayList<String>();
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            events.add("{\"event_id\":\"" + UUID.randomUUID() + "\",\"type\":\"kill.checked\",\"user_id\":\"" + user + "\"}");
        }
        return "[" + String.join(",", events) + "]";
    }

    /** True on 202; false on any other answer or none (the gateway died or is starting), to be retried alike. */
    private static boolean accepted(HttpClient http, String bearer, String body) throws InterruptedException {
        try {
            var response = http.send(HttpRequest.newBuilder(URI.create(LocalStack.ingestUrl() + "/v1/events"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 202;
        } catch (IOException e) {
            return false;
        }
    }
}
