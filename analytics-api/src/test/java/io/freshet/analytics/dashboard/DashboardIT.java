package io.freshet.analytics.dashboard;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live dashboard in headless Chromium while events flow through the real pipeline: its numbers move, and
 * they match what was sent. Saves a screenshot for the README (docs/dashboard.png).
 */
class DashboardIT {

    private static final int BATCHES = 30;
    private static final int PER_BATCH = 40;
    private static final String TYPE = "dashboard.watched";

    @Test
    void theDashboardShowsTheEventsSentAsTheyFlow() throws Exception {
        TestTenant tenant = TestTenants.create("dashboard");
        WebDriver browser = new ChromeDriver(
                new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(),
                new ChromeOptions().setBinary("/usr/bin/chromium")
                        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,860"));
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

            Path screenshot = LocalStack.repositoryRoot().resolve("docs/dashboard.png");
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                    StandardCopyOption.REPLACE_EXISTING);
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
        return Math.round(Double.parseDouble(browser.findElement(By.id(id)).getDomAttribute("data-value")));
    }

    private static void send(TestTenant tenant, int events) {
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer()).contentType("application/json")
                .body("[" + String.join(",", Collections.nCopies(events, "{\"type\":\"" + TYPE + "\",\"user_id\":\"u1\"}")) + "]")
                .post("/v1/events").then().statusCode(202);
    }
}
