package io.freshet.eventmodel.channel;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A service's Kafka channels on SmallRye's in-memory connector, for a {@code @QuarkusTest} of one stage's processing:
 * the test feeds and reads the channels itself, and the service in the test's JVM never joins the consumer groups or
 * takes the transactional ids of a stack running beside it. Arguments: {@link #INCOMING} and {@link #OUTGOING}, each a
 * comma-separated list of channels; the tenant registry's channel is always switched.
 */
public class InMemoryChannels implements QuarkusTestResourceLifecycleManager {

    public static final String INCOMING = "incoming";
    public static final String OUTGOING = "outgoing";

    private String[] incoming = {};
    private String[] outgoing = {};

    @Override
    public void init(Map<String, String> args) {
        incoming = channels(args.getOrDefault(INCOMING, "") + "," + InMemoryTenants.CHANNEL);
        outgoing = channels(args.getOrDefault(OUTGOING, ""));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(InMemoryConnector.switchIncomingChannelsToInMemory(incoming));
        if (outgoing.length > 0) {
            config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory(outgoing));
        }
        // beside a running stack: no port of its own, and no topics to make
        config.put("quarkus.http.test-port", "0");
        config.put("freshet.topics.create", "false");
        return config;
    }

    @Override
    public void stop() {
        InMemoryConnector.clear();
    }

    private static String[] channels(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(channel -> !channel.isEmpty()).toArray(String[]::new);
    }
}
