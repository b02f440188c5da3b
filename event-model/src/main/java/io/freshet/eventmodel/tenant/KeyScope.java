package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an API key may do. A {@code write} key only sends events, so it is safe to publish in a web page or an app;
 * a {@code read} key only asks the analytics API.
 */
@RegisterForReflection // Jackson writes it in tenant records (Kafka JSON), unseen by Quarkus: native keeps its methods
public enum KeyScope {
    READ, WRITE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static KeyScope fromWire(String name) {
        return parse(name).orElseThrow(() -> new IllegalArgumentException("Unknown key scope '" + name + "'"));
    }

    public static Optional<KeyScope> parse(String name) {
        return Arrays.stream(values()).filter(scope -> scope.wireName().equals(name)).findFirst();
    }
}
