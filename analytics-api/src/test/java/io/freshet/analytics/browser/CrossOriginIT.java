package io.freshet.analytics.browser;

import com.sun.net.httpserver.HttpServer;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A web page of another origin, in headless Chromium, using Freshet as a frontend would: it sends events with
 * {@code fetch} and {@code navigator.sendBeacon} with a write key and runs a GraphQL query with a read key; the
 * browser enforces CORS. A page of an origin the tenant did not allow is refused by the browser, and a write key
 * cannot read.
 */
class CrossOriginIT {

    /** Runs in the page: the calls a frontend makes, and what the browser let it see of each. */
    private static final String FRONTEND = """
            const [gateway, analytics, writeKey, readKey, done] = arguments;
            const seen = {};
            const json = {'Content-Type': 'application/json'};
            try {
              const sent = await fetch(gateway + '/v1/events', {method: 'POST',
                  headers: {...json, Authorization: 'Bearer ' + writeKey},
                  body: JSON.stringify({type: 'browser.fetched', user_id: 'visitor-1'})});
              seen.fetchStatus = sent.status;
              seen.beaconQueued = navigator.sendBeacon(gateway + '/v1/events?writeKey=' + encodeURIComponent(writeKey),
                  JSON.stringify({type: 'browser.beaconed', user_id: 'visitor-1'}));
              const query = await fetch(analytics + '/graphql', {method: 'POST',
                  headers: {...json, Authorization: 'Bearer ' + readKey},
                  body: JSON.stringify({query: '{ eventCounts { type count } }'})});
              seen.graphqlStatus = query.status;
              seen.graphqlErrors = (await query.json()).errors ?? null;
              const read = await fetch(analytics + '/v1/stats/counts', {headers: {Authorization: 'Bearer ' + writeKey}});
              seen.writeKeyReadStatus = read.status;
              seen.writeKeyReadCode = (await read.json()).error.code;
            } catch (e) {
              seen.refused = String(e);
            }
            done(seen);
            """;

    private static HttpServer allowedSite;
    private static HttpServer otherSite;

    @BeforeAll
    static void sites() throws IOException {
        allowedSite = site();
        otherSite = site();
    }

    @AfterAll
    static void stop() {
        allowedSite.stop(0);
        otherSite.stop(0);
    }

    @Test
    void aPageOfAnAllowedOriginSendsAndReadsWithItsKeysAndOtherOriginsAreRefusedByTheBrowser() {
        var tenant = TestTenants.create("browser");
        String writeKey = TestTenants.createKey(tenant.id(), "write").apiKey();
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        TestTenants.allowOrigins(tenant.id(), origin(allowedSite));
        ChromeDriver browser = HeadlessChromium.start();
        try {
            browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            browser.get(origin(allowedSite) + "/");
            @SuppressWarnings("unchecked")
            var allowed = (Map<String, Object>) browser.executeAsyncScript(FRONTEND, LocalStack.ingestUrl(),
                    LocalStack.analyticsUrl(), writeKey, readKey);
            assertNull(allowed.get("refused"), "nothing refused: " + allowed);
            assertEquals(202L, allowed.get("fetchStatus"), allowed.toString());
            assertEquals(true, allowed.get("beaconQueued"));
            assertEquals(200L, allowed.get("graphqlStatus"));
            assertNull(allowed.get("graphqlErrors"), allowed.toString());
            assertEquals(403L, allowed.get("writeKeyReadStatus"), "a write key cannot read: " + allowed);
            assertEquals("wrong_scope", allowed.get("writeKeyReadCode"));

            browser.get(origin(otherSite) + "/");
            @SuppressWarnings("unchecked")
            var other = (Map<String, Object>) browser.executeAsyncScript(FRONTEND, LocalStack.ingestUrl(),
                    LocalStack.analyticsUrl(), writeKey, readKey);
            assertTrue(String.valueOf(other.get("refused")).contains("Failed to fetch"), "the browser refused: " + other);
        } finally {
            browser.quit();
        }
        String stored = "SELECT type, count() FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' GROUP BY type ORDER BY type";
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.query(stored).equals("browser.beaconed\t1\nbrowser.fetched\t1"));
    }

    /** A site on its own port of 127.0.0.1: an origin of its own. */
    private static HttpServer site() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "<!doctype html><title>shop</title><p>A shop's page".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String origin(HttpServer site) {
        return "http://127.0.0.1:" + site.getAddress().getPort();
    }
}
