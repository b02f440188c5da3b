package io.freshet.eventmodel.stack;

import java.util.Arrays;

import static io.restassured.RestAssured.given;

/** Reads a service's Prometheus metrics, as a scrape would. */
public final class Metrics {

    private Metrics() {
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels} (e.g. {@code tenant="acme"}). */
    public static double sum(String serviceUrl, String name, String... labels) {
        String metrics = given().baseUri(serviceUrl).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
