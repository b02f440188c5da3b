package io.freshet.eventmodel.storage;

import com.clickhouse.client.api.Client;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * The official ClickHouse client, pointed at {@code CLICKHOUSE_URL}; the same code talks to any server.
 * Statements name their database ({@code freshet.events}), so the client keeps the server's default one.
 */
@ApplicationScoped
public class ClickHouseClientProducer {

    @Produces
    @ApplicationScoped
    Client clickHouse(@ConfigProperty(name = "freshet.clickhouse.url") String url,
                      @ConfigProperty(name = "freshet.clickhouse.username") String username,
                      @ConfigProperty(name = "freshet.clickhouse.password") Optional<String> password,
                      @ConfigProperty(name = "freshet.clickhouse.compression") boolean compression) {
        return new Client.Builder()
                .addEndpoint(url)
                .setUsername(username)
                .setPassword(password.orElse(""))
                .compressServerResponse(compression)
                .compressClientRequest(compression)
                .build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
