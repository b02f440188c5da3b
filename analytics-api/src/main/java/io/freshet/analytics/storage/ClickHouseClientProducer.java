package io.freshet.analytics.storage;

import com.clickhouse.client.api.Client;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** The official ClickHouse client, pointed at {@code CLICKHOUSE_URL}; the same code talks to any server. */
@ApplicationScoped
public class ClickHouseClientProducer {

    @Produces
    @ApplicationScoped
    Client clickHouse(@ConfigProperty(name = "freshet.clickhouse.url") String url,
                      @ConfigProperty(name = "freshet.clickhouse.username") String username,
                      @ConfigProperty(name = "freshet.clickhouse.password") Optional<String> password) {
        return new Client.Builder()
                .addEndpoint(url)
                .setUsername(username)
                .setPassword(password.orElse(""))
                .setDefaultDatabase("freshet")
                .compressServerResponse(false)
                .compressClientRequest(false)
                .build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
