package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's one door: a TLS listener with SCRAM logins and Kafka's ACLs, one KafkaUser per client, each allowed its own
 * topics, consumer groups and transactional ids, which the services' channels and producers are checked against.
 */
class KafkaSecurityTest {

    /** Who writes each topic (the services' channels and, in their code, transactions and dead letters): nobody else may. */
    static final Map<String, Set<String>> WRITERS = Map.ofEntries(
            entry(Topics.RAW, Set.of("ingest-gateway", "router", "sources")), // events, redrives, devices and databases
            entry(Topics.ENRICHED, Set.of("enricher")),
            entry(Topics.LATE, Set.of("enricher")),
            entry(Topics.DLQ, Set.of("enricher", "router", "sources")),
            entry(Topics.ALERTS, Set.of("enricher", "router")), // breaker alerts, the routes' alerts
            entry(Topics.BILLING_USAGE, Set.of("router")),
            entry(Topics.TENANTS, Set.of("analytics-api")), // every tenant's keys and rules: the admin API alone
            entry(Topics.ENRICHER_SESSIONS, Set.of("enricher")),
            entry(Topics.ENRICHER_EVENT_IDS, Set.of("enricher")),
            entry(Topics.SOURCES_MQTT_DELIVERIES, Set.of("sources")),
            entry(Topics.SOURCES_DATABASE_OFFSETS, Set.of("sources")),
            entry("kafkasql-journal", Set.of("schema-registry")));
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([a-z][\\w.-]*)}");
    private static final Pattern CHANNEL = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topics?|group\\.id|transactional\\.id)");

    static Stream<Arguments> servicesInOverlays() {
        return ServiceDeploymentsTest.servicesInOverlays();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theListenerEncryptsAuthenticatesAndAuthorizes(String overlay) {
        JsonNode kafka = Rendered.of(overlay).only("Kafka");
        List<JsonNode> listeners = stream(kafka.at("/spec/kafka/listeners")).toList();
        assertFalse(listeners.isEmpty());
        listeners.forEach(listener -> {
            String what = overlay + ": Kafka listener " + listener.path("name").asText();
            assertTrue(Set.of("scram-sha-512", "tls").contains(listener.at("/authentication/type").asText()), what + " lets anyone in");
            assertTrue(listener.path("tls").asBoolean(), what + " is not encrypted");
            assertTrue(listener.has("networkPolicyPeers"), what + " is open to every pod");
        });
        assertEquals("simple", kafka.at("/spec/kafka/authorization/type").asText(), overlay + ": Kafka checks no ACLs");
        assertTrue(kafka.at("/spec/entityOperator").has("userOperator"), overlay + ": no User Operator makes the KafkaUsers' Secrets");
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void eachServiceLogsInAsItsOwnUser(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode container = rendered.container(service);
        assertLogsIn(rendered, rendered.workload(service), container, "KAFKA_", service);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theRegistryAndKedaLogInToo(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        // Apicurio's registry.kafka.common.* (REGISTRY_PROPERTIES_PREFIX makes properties of its REGISTRY_ variables)
        JsonNode registry = rendered.container("schema-registry");
        assertEquals("REGISTRY_", rendered.value(registry, "REGISTRY_PROPERTIES_PREFIX"));
        assertLogsIn(rendered, rendered.workload("schema-registry"), registry, "REGISTRY_KAFKA_COMMON_", "schema-registry");
        // its journal reader's group, which its user may use: Apicurio's default is a random name
        assertTrue(rendered.value(registry, "REGISTRY_KAFKASQL_CONSUMER_GROUP_ID").startsWith("schema-registry-$(POD_NAME)"));
        assertTrue(allows(user(rendered, "schema-registry"), "group", "schema-registry-registry-0", "Read"));

        // KEDA reads the lag as the user keda, over TLS
        rendered.ofKind("ScaledObject").flatMap(scaled -> stream(scaled.at("/spec/triggers"))).forEach(trigger -> {
            assertEquals("scram_sha512", trigger.at("/metadata/sasl").asText(), overlay + ": " + trigger);
            assertEquals("enable", trigger.at("/metadata/tls").asText(), overlay + ": " + trigger);
            JsonNode auth = rendered.one("TriggerAuthentication", trigger.at("/authenticationRef/name").asText());
            Map<String, JsonNode> parameters = stream(auth.at("/spec/secretTargetRef"))
                    .collect(Collectors.toMap(ref -> ref.path("parameter").asText(), ref -> ref));
            JsonNode username = stream(auth.at("/spec/configMapTargetRef")).filter(ref -> ref.path("parameter").asText().equals("username"))
                    .findFirst().orElseThrow(() -> new AssertionError(overlay + ": KEDA logs in as nobody"));
            String user = rendered.one("ConfigMap", username.path("name").asText()).path("data").path(username.path("key").asText()).asText();
            JsonNode keda = user(rendered, user);
            assertEquals(name(keda), parameters.get("password").path("name").asText(), "KEDA's password is its user's");
            assertEquals("password", parameters.get("password").path("key").asText());
            assertEquals(clusterCa(rendered), parameters.get("ca").path("name").asText(), "KEDA trusts the cluster CA");
            String group = trigger.at("/metadata/consumerGroup").asText();
            String topic = trigger.at("/metadata/topic").asText();
            assertTrue(allows(keda, "group", group, "Describe") && allows(keda, "topic", topic, "Describe"),
                    overlay + ": KEDA may not read the lag of " + group + " on " + topic);
        });
    }

    /** The channels' topics, groups and transactional ids in the service's configuration are its user's to use. */
    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void eachUserMayUseWhatItsServicesChannelsUse(String overlay, String service) {
        JsonNode user = user(Rendered.of(overlay), service);
        ServiceConfig config = ServiceConfig.of(service);
        List<String> checked = new ArrayList<>();
        config.properties().lines().forEach(line -> {
            int equals = line.indexOf('=');
            Matcher channel = CHANNEL.matcher(equals < 0 ? "" : line.substring(0, equals));
            if (!channel.matches()) {
                return;
            }
            String value = resolved(config, line.substring(equals + 1));
            boolean incoming = channel.group(1).equals("incoming");
            switch (channel.group(3)) {
                case "topic", "topics" -> List.of(value.split(",")).forEach(topic ->
                        check(user, "topic", topic.strip(), incoming ? "Read" : "Write", checked));
                case "group.id" -> check(user, "group", value, "Read", checked);
                // the instance's part (after the prefix) varies: any id with the prefix
                default -> check(user, "transactionalId", value + "pod-0", "Write", checked);
            }
        });
        String streams = config.setting("quarkus.kafka-streams.application-id");
        if (streams != null) {
            // Kafka Streams' group, its exactly-once transactions and its internal topics, all named after the application id
            check(user, "group", streams, "Read", checked);
            check(user, "transactionalId", streams + "-0f8c-0", "Write", checked);
            for (String operation : List.of("Create", "Read", "Write", "Delete", "DescribeConfigs")) {
                check(user, "topic", streams + "-window-store-changelog", operation, checked);
            }
        }
        assertTrue(checked.stream().anyMatch(c -> c.startsWith("topic " + Topics.TENANTS + " Read")), service + " reads no tenants");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void eachTopicIsWrittenByItsWritersAlone(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        List<JsonNode> users = rendered.ofKind("KafkaUser").toList();
        rendered.ofKind("KafkaTopic").forEach(kafkaTopic -> {
            String topic = kafkaTopic.at("/spec/topicName").asText(name(kafkaTopic));
            assertTrue(WRITERS.containsKey(topic), topic + " is not in WRITERS: say who writes it");
            Set<String> writers = users.stream().filter(user -> allows(user, "topic", topic, "Write")).map(Rendered::name)
                    .collect(Collectors.toSet());
            assertEquals(WRITERS.get(topic), writers, overlay + ": the users that may write " + topic);
        });
    }

    /** freshet.tenants holds every tenant's keys and rules: everyone reads it, only the admin API (analytics-api) writes it. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void onlyTheAnalyticsApiWritesTheTenants(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        for (String service : ServiceConfig.SERVICES) {
            JsonNode user = user(rendered, service);
            assertTrue(allows(user, "topic", Topics.TENANTS, "Read"), overlay + ": " + service + " may not read the tenants");
            assertEquals(service.equals("analytics-api"), allows(user, "topic", Topics.TENANTS, "Write"),
                    overlay + ": " + service + (service.equals("analytics-api") ? " may not write" : " may write") + " the tenants");
        }
    }

    /** No user may do everything, act on the cluster, or use a name (by prefix) that another user's ACLs name. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void usersHaveNoWildcardsAndTheirPrefixesAreTheirOwn(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        String cluster = name(rendered.only("Kafka"));
        List<JsonNode> users = rendered.ofKind("KafkaUser").toList();
        Set<String> topics = rendered.ofKind("KafkaTopic").map(t -> t.at("/spec/topicName").asText(name(t))).collect(Collectors.toSet());
        for (JsonNode user : users) {
            String what = overlay + ": KafkaUser " + name(user);
            assertEquals(cluster, user.at("/metadata/labels/strimzi.io~1cluster").asText(), what + "'s cluster");
            assertEquals("scram-sha-512", user.at("/spec/authentication/type").asText(), what + "'s login");
            assertEquals("simple", user.at("/spec/authorization/type").asText(), what + "'s ACLs");
            for (Acl acl : acls(user)) {
                assertFalse(acl.type().equals("cluster") || acl.name().equals("*") || acl.operations().contains("All"),
                        what + " has a right beyond its own names: " + acl);
                if (acl.prefix()) {
                    assertTrue(topics.stream().noneMatch(topic -> acl.type().equals("topic") && topic.startsWith(acl.name())),
                            what + "'s prefix " + acl + " covers a pipeline topic");
                    users.stream().filter(other -> other != user).flatMap(other -> acls(other).stream())
                            .filter(other -> other.type().equals(acl.type()))
                            .forEach(other -> assertFalse(other.name().startsWith(acl.name()) || other.prefix() && acl.name().startsWith(other.name()),
                                    what + "'s prefix " + acl + " overlaps another user's " + other));
                }
            }
        }
    }

    /** The listener the services use: the one whose port their bootstrap address names. */
    static JsonNode listener(Rendered rendered) {
        List<JsonNode> listeners = stream(rendered.only("Kafka").at("/spec/kafka/listeners")).toList();
        assertEquals(1, listeners.size(), rendered.overlay() + ": the pods reach Kafka through one listener");
        return listeners.getFirst();
    }

    /**
     * A client's Kafka settings, as variables with this prefix (KAFKA_SECURITY_PROTOCOL...): SASL over TLS, as the
     * listener wants; its own user's password from the Secret Strimzi makes; the cluster CA from Strimzi's Secret.
     */
    private static void assertLogsIn(Rendered rendered, JsonNode workload, JsonNode container, String prefix, String userName) {
        String what = rendered.overlay() + ": " + name(workload);
        JsonNode listener = listener(rendered);
        assertEquals(listener.path("tls").asBoolean() ? "SASL_SSL" : "SASL_PLAINTEXT", rendered.value(container, prefix + "SECURITY_PROTOCOL"), what);
        assertEquals(listener.at("/authentication/type").asText().toUpperCase(), rendered.value(container, prefix + "SASL_MECHANISM"), what);
        JsonNode jaas = rendered.environment(container).get(prefix + "SASL_JAAS_CONFIG");
        assertNotNull(jaas, what + " has no " + prefix + "SASL_JAAS_CONFIG");
        // the Secret's own key: the password is in no manifest, no command line
        assertEquals(userName, jaas.at("/valueFrom/secretKeyRef/name").asText(), what + " logs in as another user");
        assertEquals("sasl.jaas.config", jaas.at("/valueFrom/secretKeyRef/key").asText(), what);
        user(rendered, userName);

        assertEquals("PEM", rendered.value(container, prefix + "SSL_TRUSTSTORE_TYPE"), what);
        String truststore = rendered.value(container, prefix + "SSL_TRUSTSTORE_LOCATION");
        assertNotNull(truststore, what + " trusts no CA");
        String dir = truststore.substring(0, truststore.lastIndexOf('/'));
        String file = truststore.substring(dir.length() + 1);
        String volume = stream(container.path("volumeMounts")).filter(m -> m.path("mountPath").asText().equals(dir))
                .map(m -> m.path("name").asText()).findFirst().orElseThrow(() -> new AssertionError(what + " mounts nothing at " + dir));
        JsonNode secret = stream(podSpec(workload).path("volumes")).filter(v -> v.path("name").asText().equals(volume))
                .findFirst().orElseThrow().path("secret");
        assertEquals(clusterCa(rendered), secret.path("secretName").asText(), what + "'s truststore is not the cluster CA");
        assertTrue(stream(secret.path("items")).anyMatch(i -> i.path("key").asText().equals("ca.crt") && i.path("path").asText().equals(file)),
                what + ": " + truststore + " is not the CA's ca.crt");
    }

    /** Strimzi's Secret of the cluster CA's certificate. */
    private static String clusterCa(Rendered rendered) {
        return name(rendered.only("Kafka")) + "-cluster-ca-cert";
    }

    static JsonNode user(Rendered rendered, String name) {
        return rendered.one("KafkaUser", name);
    }

    private static void check(JsonNode user, String type, String name, String operation, List<String> checked) {
        assertTrue(allows(user, type, name, operation), "KafkaUser " + name(user) + " may not " + operation + " " + type + " " + name);
        checked.add(type + " " + name + " " + operation);
    }

    /** A property's value with the properties it refers to filled in, up to the first variable (the instance's part). */
    private static String resolved(ServiceConfig config, String value) {
        String resolved = value;
        for (Matcher m = PROPERTY.matcher(resolved); m.find(); m = PROPERTY.matcher(resolved)) {
            String setting = config.setting(m.group(1));
            if (setting == null) {
                break;
            }
            resolved = resolved.substring(0, m.start()) + setting + resolved.substring(m.end());
        }
        int variable = resolved.indexOf("${");
        return variable < 0 ? resolved : resolved.substring(0, variable);
    }

    record Acl(String type, String name, boolean prefix, Set<String> operations) {
    }

    static List<Acl> acls(JsonNode user) {
        return stream(user.at("/spec/authorization/acls")).map(acl -> new Acl(acl.at("/resource/type").asText(),
                acl.at("/resource/name").asText(), acl.at("/resource/patternType").asText().equals("prefix"),
                Stream.concat(stream(acl.path("operations")), Stream.of(acl.path("operation")).filter(JsonNode::isTextual))
                        .map(JsonNode::asText).collect(Collectors.toSet()))).toList();
    }

    /** Kafka's rule: an operation is allowed by itself or All; Describe by Read, Write, Delete or Alter; DescribeConfigs by AlterConfigs. */
    static boolean allows(JsonNode user, String type, String name, String operation) {
        return acls(user).stream().filter(acl -> acl.type().equals(type))
                .filter(acl -> acl.prefix() ? name.startsWith(acl.name()) : acl.name().equals(name) || acl.name().equals("*"))
                .anyMatch(acl -> acl.operations().contains(operation) || acl.operations().contains("All")
                        || operation.equals("Describe") && acl.operations().stream().anyMatch(Set.of("Read", "Write", "Delete", "Alter")::contains)
                        || operation.equals("DescribeConfigs") && acl.operations().contains("AlterConfigs"));
    }
}
