package io.freshet.enricher.processing;

import io.freshet.enricher.config.EnricherConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;

/**
 * User agent strings to browser, OS and device, by Yauaa. Only the fields Freshet stores are loaded, and parses
 * are cached: real traffic repeats a few thousand agents, so most events cost a cache lookup. Loading Yauaa's rules
 * takes seconds, the longest part of the enricher's start: they load on a thread of their own from the start on,
 * beside the Kafka clients and the state restore rather than after them; the service is ready once they are
 * ({@link UserAgentsReadiness}), and a batch enriched before that waits for them.
 */
@Startup
@ApplicationScoped
public class UserAgents {

    private static final Logger LOG = Logger.getLogger(UserAgents.class);

    /** Longer strings are not user agents a browser sends; Yauaa would cut them too. */
    static final int MAX_LENGTH = 2048;

    public record Agent(String browser, String browserVersion, String os, String osVersion, String deviceClass) {
        static final Agent UNKNOWN = new Agent(null, null, null, null, null);
    }

    private final CompletableFuture<UserAgentAnalyzer> analyzer;

    public UserAgents(EnricherConfig config) {
        int cacheSize = config.userAgentCache();
        this.analyzer = CompletableFuture.supplyAsync(() -> UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                .withCache(cacheSize)
                .withFields(UserAgent.AGENT_NAME, UserAgent.AGENT_VERSION_MAJOR, UserAgent.OPERATING_SYSTEM_NAME,
                        UserAgent.OPERATING_SYSTEM_VERSION_MAJOR, UserAgent.DEVICE_CLASS)
                .immediateInitialization()
                .dropTests() // Yauaa's own test cases: ~25 MiB of heap (157 -> 132 MiB measured) never used here
                .build(), task -> Thread.ofPlatform().name("user-agent-rules").start(task));
        analyzer.whenComplete((loaded, failure) -> {
            if (failure != null) { // as a failed start: the enricher cannot enrich without them
                LOG.error("Cannot load the user agent rules", failure);
                Quarkus.asyncExit(1);
            }
        });
    }

    /** Whether the rules are loaded (parses answer at once). */
    boolean loaded() {
        return analyzer.isDone() && !analyzer.isCompletedExceptionally();
    }

    public Agent parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return Agent.UNKNOWN;
        }
        UserAgent agent = analyzer.join().parse(userAgent.length() > MAX_LENGTH ? userAgent.substring(0, MAX_LENGTH) : userAgent);
        return new Agent(known(agent, UserAgent.AGENT_NAME), known(agent, UserAgent.AGENT_VERSION_MAJOR),
                known(agent, UserAgent.OPERATING_SYSTEM_NAME), known(agent, UserAgent.OPERATING_SYSTEM_VERSION_MAJOR),
                known(agent, UserAgent.DEVICE_CLASS));
    }

    /** Yauaa says "Unknown" or "??" where the string does not tell; Freshet stores nothing then. */
    private static String known(UserAgent agent, String field) {
        if (agent.get(field).isDefaultValue()) {
            return null;
        }
        String value = agent.getValue(field);
        return value == null || value.equals("Unknown") || value.equals("??") ? null : value;
    }
}
