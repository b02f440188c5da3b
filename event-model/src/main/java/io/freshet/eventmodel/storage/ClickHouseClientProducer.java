package io.freshet.eventmodel.storage;

import io.freshet.eventmodel.config.SharedConfig;
import com.clickhouse.client.api.Client;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;


/**
 * The official ClickHouse client, pointed at {@code CLICKHOUSE_URL}; the same code talks to any server.
 * Statements name their database ({@code freshet.events}), so the client keeps the server's default one.
 */
@ApplicationScoped
public class ClickHouseClientProducer {

    @Produces
    @ApplicationScoped
    Client clickHouse(SharedConfig config) {
        SharedConfig.ClickHouse clickHouse = config.clickhouse();
        return new Client.Builder()
                .addEndpoint(clickHouse.url())
                .setUsername(clickHouse.username())
                .setPassword(clickHouse.password().orElse(""))
                .compressServerResponse(clickHouse.compression())
                .compressClientRequest(clickHouse.compression())
                .build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
