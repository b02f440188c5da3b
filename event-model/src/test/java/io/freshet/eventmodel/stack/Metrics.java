package io.freshet.eventmodel.stack;

import io.freshet.eventmodel.metrics.PrometheusText;

import static io.restassured.RestAssured.given;

/** Reads a service's Prometheus metrics, as a scrape would: on its management port ({@link LocalStack#managementUrl}). */
public final class Metrics {

    private Metrics() {
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels} (e.g. {@code tenant="acme"}). */
    public static double sum(String serviceUrl, String name, String... labels) {
        return scrape(serviceUrl).sum(name, labels);
    }

    /** The service's metrics now (its management interface's {@code /q/metrics}, which must answer 200). */
    public static PrometheusText scrape(String serviceUrl) {
        return PrometheusText.of(given().baseUri(LocalStack.managementUrl(serviceUrl)).get("/q/metrics").then().statusCode(200)
                .extract().asString());
    }
}
