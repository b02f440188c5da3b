package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz-style: thousands of malformed requests, each must get a 4xx with the error body, never a 5xx,
 * and none may leave a record in freshet.events.raw.
 */
class MalformedRequestsIT {

    private static final int REQUESTS = 3000;

    @Test
    void malformedRequestsGetA4xxAndStoreNothing() throws Exception {
        var tenant = TestTenants.create("fuzz");
        Map<TopicPartition, Long> before = TopicProbe.endOffsets(Topics.RAW);
        Random random = new Random(42);
        List<String> failures = new ArrayList<>();
        try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < REQUESTS; i++) {
                byte[] body = malformed(random);
                String contentType = random.nextInt(10) == 0 ? "text/plain" : random.nextBoolean()
                        ? "application/json" : "application/x-ndjson";
                var response = client.send(HttpRequest.newBuilder(URI.create(LocalStack.ingestUrl() + "/v1/events"))
                                .header("Authorization", tenant.bearer()).header("Content-Type", contentType)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 400 || response.statusCode() >= 500 || !response.body().contains("\"error\"")) {
                    failures.add(response.statusCode() + " for " + new String(body, 0, Math.min(body.length, 80),
                            StandardCharsets.UTF_8) + " -> " + response.body());
                }
            }
        }
        assertEquals(List.of(), failures.stream().limit(5).toList(), failures.size() + " of " + REQUESTS + " were not a clean 4xx");
        // read, not end offsets compared: a transaction of an earlier test may still put its markers after `before`
        List<String> stored = new ArrayList<>();
        String ofTheTenant = "\"tenant_id\":\"" + tenant.id() + "\"";
        TopicProbe.readToEnd(before, new StringDeserializer(), Duration.ofSeconds(30), record -> {
            if (record.value().contains(ofTheTenant)) {
                stored.add(record.value());
            }
        }, () -> true);
        assertEquals(List.of(), stored, "no malformed request stored anything");
    }

    /** A body no valid request looks like: broken JSON, invalid UTF-8, deep nesting, only invalid events. */
    private static byte[] malformed(Random random) {
        String valid = "{\"type\":\"fuzz.event\",\"user_id\":\"u\",\"properties\":{\"a\":[1,2,{\"b\":\"c\"}]}}";
        return switch (random.nextInt(8)) {
            case 0 -> valid.substring(0, 1 + random.nextInt(valid.length() - 2)).getBytes(StandardCharsets.UTF_8);
            case 1 -> {
                byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
                bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x40)); // a lone continuation byte
                yield bytes;
            }
            case 2 -> ("[" + "[".repeat(1000 + random.nextInt(2000))).getBytes(StandardCharsets.UTF_8);
            case 3 -> "{\"type\":\"9bad\"}".getBytes(StandardCharsets.UTF_8);
            case 4 -> ("[{\"type\":\"a\",\"event_id\":\"" + random.nextInt() + "\"}]").getBytes(StandardCharsets.UTF_8);
            case 5 -> ("{\"type\":\"a\",\"timestamp\":\"" + random.nextLong() + "\"}").getBytes(StandardCharsets.UTF_8);
            case 6 -> "".getBytes(StandardCharsets.UTF_8);
            default -> {
                byte[] noise = new byte[1 + random.nextInt(200)];
                random.nextBytes(noise);
                noise[0] = '{';
                yield noise;
            }
        };
    }
}
