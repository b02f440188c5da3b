package io.freshet.analytics.dashboard;

import io.freshet.analytics.browser.HeadlessChromium;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live dashboard in headless Chromium while events flow through the real pipeline: its numbers move, and
 * they match what was sent; its charts draw the last minutes, the flow included. Saves a screenshot of the whole
 * page for the README (docs/dashboard.png).
 */
class DashboardIT {

    private static final int BATCHES = 30;
    private static final int PER_BATCH = 40;
    private static final String TYPE = "dashboard.watched";

    @Test
    void theDashboardShowsTheEventsSentAsTheyFlow() throws Exception {
        TestTenant tenant = TestTenants.create("dashboard");
        ChromeDriver browser = HeadlessChromium.start();
        try {
            browser.get(LocalStack.analyticsUrl() + "/dashboard/#token=" + LocalStack.adminToken());
            await().atMost(Duration.ofSeconds(20)).until(() -> value(browser, "updates") >= 2);
            long storedBefore = value(browser, "stored-total");

            AtomicLong highestIngestRate = new AtomicLong();
            try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
                var sending = sender.submit(() -> {
                    for (int batch = 0; batch < BATCHES; batch++) {
                        send(tenant, PER_BATCH);
                        Thread.sleep(200); // a steady flow of about 200 events/s for 6 s, for the rates to show
                    }
                    return null;
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    highestIngestRate.accumulateAndGet(value(browser, "ingested-rate"), Math::max);
                    return sending.isDone();
                });
                sending.get();
            }
            int sent = BATCHES * PER_BATCH;
            assertTrue(highestIngestRate.get() > 0, "the ingest rate moved while events flowed");
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == sent);
            // the last minute's table counts exactly what was sent of this type; the router's total grew by it
            await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("types")).getText()
                    .contains(TYPE + " " + String.format("%,d", sent)));
            await().atMost(Duration.ofSeconds(20)).until(() -> value(browser, "stored-total") >= storedBefore + sent);
            assertTrue(browser.findElement(By.id("latest")).getText().contains(tenant.id()), "the latest events are ours");
            // the first tile: events in by source, the gateway's (http) and the sources service's (mqtt, postgres)
            String bySource = browser.findElement(By.id("in-by-source")).getText();
            assertTrue(bySource.startsWith("http ") && bySource.contains(" · mqtt ") && bySource.contains(" · postgres "), bySource);

            // the charts were drawn (data-points is set when uPlot draws) from the snapshots since the page opened,
            // the flow included: the screenshot shows it
            for (String chart : new String[] {"chart-rates", "chart-freshness", "chart-lag"}) {
                assertTrue(value(browser, chart, "data-points") >= 5, chart + " draws the snapshots received");
            }
            assertTrue(peak(browser, "rates", 1) > 0, "the events/s chart's ingested line rose while events flowed");
            assertTrue(peak(browser, "rates", 3) > 0, "the events/s chart's stored line rose once they were stored");
            assertTrue(peak(browser, "freshness", 1) > 0, "the freshness chart has a p50 of the events stored");

            // the whole page (it is taller than the window), as the README shows it
            Object width = browser.executeScript("return document.documentElement.scrollWidth");
            Object height = browser.executeScript("return document.documentElement.scrollHeight");
            Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
            Files.write(LocalStack.repositoryRoot().resolve("docs/dashboard.png"),
                    Base64.getDecoder().decode((String) shot.get("data")));
        } finally {
            browser.quit();
        }
    }

    @Test
    void theDashboardStreamNeedsTheAdminToken() {
        given().baseUri(LocalStack.analyticsUrl()).get("/v1/admin/dashboard/stream").then().statusCode(401);
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer not-the-token")
                .get("/v1/admin/dashboard/stream").then().statusCode(401);
    }

    private static long value(WebDriver browser, String id) {
        return value(browser, id, "data-value");
    }

    private static long value(WebDriver browser, String id, String attribute) {
        return Math.round(Double.parseDouble(browser.findElement(By.id(id)).getDomAttribute(attribute)));
    }

    /** The highest value of a chart's series (1 is the first line) among the data it drew. */
    private static double peak(WebDriver browser, String chart, int series) {
        return ((Number) ((JavascriptExecutor) browser).executeScript(
                "return Math.max(0, ...charts[arguments[0]].data[arguments[1]].filter(v => v != null))",
                chart, series)).doubleValue();
    }

    private static void send(TestTenant tenant, int events) {
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer()).contentType("application/json")
                .body("[" + String.join(",", Collections.nCopies(events, "{\"type\":\"" + TYPE + "\",\"user_id\":\"u1\"}")) + "]")
                .post("/v1/events").then().statusCode(202);
    }
}
