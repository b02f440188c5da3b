package io.freshet.eventmodel.tenant;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a tenant's database source may connect: the internet, not Freshet's own network, unless the operator says so. */
class SourceHostPolicyTest {

    /** Names as a DNS server would answer them; addresses as themselves. */
    private static final Map<String, String> DNS = Map.of(
            "db.example.com", "93.184.216.34",
            "rebound.example.com", "169.254.169.254",
            "kafka.internal", "93.184.216.40");
    private static final SourceHostPolicy.Resolver RESOLVER = host -> {
        String address = DNS.get(host.toLowerCase(Locale.ROOT).replaceAll("\\.$", ""));
        if (address == null && AddressRange.literal(host).isEmpty()) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[]{InetAddress.ofLiteral(address == null ? host : address)};
    };

    private final SourceHostPolicy policy = new SourceHostPolicy(List.of(), List.of("kafka.internal:9092",
            "http://default:secret@93.184.216.50:8123", "redis://:pw@127.0.0.1:6379/0"), RESOLVER);

    @Test
    void aDatabaseOnTheInternetIsConnectedToAtTheAddressChecked() {
        assertEquals("93.184.216.34", policy.check("db.example.com", 5432).getHostAddress());
        assertEquals("93.184.216.35", policy.check("93.184.216.35", 5432).getHostAddress());
    }

    @Test
    void loopbackPrivateLinkLocalAndSpecialAddressesAreRefused() {
        assertRefused("127.0.0.1", "a loopback address");
        assertRefused("127.8.9.10", "a loopback address");
        assertRefused("10.1.2.3", "a private address");
        assertRefused("172.20.0.1", "a private address");
        assertRefused("192.168.1.1", "a private address");
        assertRefused("169.254.169.254", "a link-local address");
        assertRefused("0.0.0.0", "an unspecified address");
        assertRefused("224.0.0.1", "a multicast address");
        assertRefused("::1", "a loopback address");
        assertRefused("fc00::1", "a private address");
        assertRefused("fd12:3456::1", "a private address");
        assertRefused("fe80::1", "a link-local address");
        assertRefused("::ffff:10.0.0.1", "a private address");
        assertRefused("64:ff9b::a9fe:a9fe", "a link-local address"); // NAT64 of 169.254.169.254
    }

    @Test
    void aNameIsJudgedByTheAddressesItResolvesTo() {
        assertRefused("rebound.example.com", "(169.254.169.254) is a link-local address");
        var localhost = assertThrows(RefusedHostException.class,
                () -> new SourceHostPolicy(List.of(), List.of()).check("localhost", 5432), "the machine's own resolver");
        assertTrue(localhost.getMessage().contains("a loopback address"), localhost.getMessage());
        var unknown = assertThrows(RefusedHostException.class, () -> policy.check("nowhere.example.com", 5432));
        assertTrue(unknown.getMessage().contains("does not resolve"), unknown.getMessage());
    }

    @Test
    void freshetsOwnEnginesAreRefusedOnAnyPort() {
        assertRefused("kafka.internal", "Freshet's own engines");
        assertRefused("93.184.216.40", "Freshet's own engines");
        assertRefused("93.184.216.50", "Freshet's own engines");
    }

    @Test
    void anOperatorAllowsHostsByNameAddressOrRangeAndPort() {
        var allowing = new SourceHostPolicy(List.of("127.0.0.1:5432", " 10.0.0.0/8", "rebound.example.com",
                "[fd00::/8]:5433", "kafka.internal:5432"), List.of("kafka.internal:9092"), RESOLVER);

        assertEquals("127.0.0.1", allowing.check("127.0.0.1", 5432).getHostAddress());
        assertRefused(allowing, "127.0.0.1", 5433, "a loopback address");
        assertEquals("10.9.8.7", allowing.check("10.9.8.7", 6543).getHostAddress());
        assertEquals("169.254.169.254", allowing.check("REBOUND.example.com.", 5432).getHostAddress());
        assertEquals("fd00:0:0:0:0:0:0:1", allowing.check("fd00::1", 5433).getHostAddress());
        assertRefused(allowing, "fd00::1", 5432, "a private address");
        assertEquals("93.184.216.40", allowing.check("kafka.internal", 5432).getHostAddress());
        assertRefused(allowing, "192.168.0.1", 5432, "a private address");
    }

    @Test
    void anAllowedHostOfAnotherFormStopsTheStart() {
        for (String entry : List.of("127.0.0.1:99999", "10.0.0.0/33", "db example", "[::1", "host:")) {
            var refused = assertThrows(IllegalArgumentException.class, () -> new SourceHostPolicy(List.of(entry), List.of()), entry);
            assertTrue(refused.getMessage().startsWith("FRESHET_SOURCES_ALLOWED_HOSTS: '" + entry + "'"), refused.getMessage());
        }
    }

    private void assertRefused(String host, String why) {
        assertRefused(policy, host, 5432, why);
    }

    private static void assertRefused(SourceHostPolicy policy, String host, int port, String why) {
        var refused = assertThrows(RefusedHostException.class, () -> policy.check(host, port), host);
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
        assertTrue(refused.getMessage().contains("FRESHET_SOURCES_ALLOWED_HOSTS"), refused.getMessage());
    }
}
