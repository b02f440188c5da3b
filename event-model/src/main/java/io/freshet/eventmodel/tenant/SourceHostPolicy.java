package io.freshet.eventmodel.tenant;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which hosts a tenant's database source may connect to. The tenant names the host and the sources service connects
 * from inside Freshet's network, so a host on loopback, on a private or link-local network (a cloud's metadata
 * service at 169.254.169.254), or one of Freshet's own engines would let a tenant reach what only Freshet should.
 * Those are refused unless the operator allows them ({@value #ALLOWED_HOSTS_VARIABLE}). A name counts by every
 * address it resolves to now: the admin API checks when a source is saved and the sources service again before
 * each connection, to the address it checked (a name's addresses can change in between).
 */
public final class SourceHostPolicy {

    public static final String ALLOWED_HOSTS_VARIABLE = "FRESHET_SOURCES_ALLOWED_HOSTS";
    private static final String ALLOWED_FORM = "host, host:port, address/prefix (CIDR) or [IPv6]:port";

    /** How a name becomes addresses: DNS (and /etc/hosts), or a test's own table. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Addresses that are not a tenant's database on the internet, with what they are. */
    private static final List<Map.Entry<AddressRange, String>> INTERNAL = internalRanges();
    /** IPv6 addresses that carry an IPv4 address which they reach. */
    private static final AddressRange IPV4_COMPATIBLE = range("::/96");
    private static final AddressRange NAT64 = range("64:ff9b::/96");
    private static final AddressRange SIX_TO_FOUR = range("2002::/16");

    /** An operator's exception: a host by name, or addresses by range; on one port or (0) any. */
    private record Allowed(String name, AddressRange range, int port) {
        boolean allows(String host, InetAddress address, int wantedPort) {
            return (port == 0 || port == wantedPort)
                    && (name != null ? name.equals(host) : address != null && range.contains(address));
        }
    }

    private final List<Allowed> allowed;
    /** The hosts of Freshet's own engines (Kafka, ClickHouse, Redis, the schema registry, the MQTT broker). */
    private final List<String> engineHosts;
    private final Resolver resolver;

    /**
     * @param allowed         the operator's exceptions, each {@value #ALLOWED_FORM}
     * @param engineEndpoints where the service reaches its engines: {@code host:port} or URLs
     * @throws IllegalArgumentException naming {@value #ALLOWED_HOSTS_VARIABLE} for an entry of another form
     */
    public SourceHostPolicy(List<String> allowed, List<String> engineEndpoints) {
        this(allowed, engineEndpoints, InetAddress::getAllByName);
    }

    public SourceHostPolicy(List<String> allowed, List<String> engineEndpoints, Resolver resolver) {
        this.allowed = allowed.stream().map(String::strip).filter(entry -> !entry.isEmpty()).map(SourceHostPolicy::allowedEntry).toList();
        this.engineHosts = engineEndpoints.stream().map(SourceHostPolicy::hostOf).flatMap(Optional::stream).distinct().toList();
        this.resolver = resolver;
    }

    /**
     * The address to connect to for this host and port: its first, once each of its addresses is allowed.
     *
     * @throws RefusedHostException saying why, and naming {@value #ALLOWED_HOSTS_VARIABLE}
     */
    public InetAddress check(String host, int port) {
        String wanted = normalized(host);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
            if (addresses.length == 0) {
                throw new UnknownHostException(host);
            }
        } catch (UnknownHostException e) {
            throw new RefusedHostException("'host' " + host + " does not resolve to an address");
        }
        if (allowed.stream().anyMatch(entry -> entry.allows(wanted, null, port))) {
            return addresses[0];
        }
        for (InetAddress address : addresses) {
            if (allowed.stream().anyMatch(entry -> entry.allows(wanted, address, port))) {
                continue;
            }
            String internal = internalRange(address);
            if (internal != null) {
                throw refused(host, address, "is " + internal);
            }
            if (isEngine(wanted, address)) {
                throw refused(host, address, "is where Freshet's own engines run (Kafka, ClickHouse, Redis, schema registry, MQTT broker)");
            }
        }
        return addresses[0];
    }

    private static RefusedHostException refused(String host, InetAddress address, String why) {
        String literal = address.getHostAddress();
        String which = literal.equalsIgnoreCase(host) ? host : host + " (" + literal + ")";
        return new RefusedHostException("'host' " + which + " " + why + ": a database source may connect there only if "
                + "the operator allows it with " + ALLOWED_HOSTS_VARIABLE + " (" + ALLOWED_FORM + ", comma-separated)");
    }

    /** What the address is when it is no host on the internet; null when it is one. */
    private static String internalRange(InetAddress address) {
        for (var range : INTERNAL) {
            if (range.getKey().contains(address)) {
                return range.getValue();
            }
        }
        return embeddedIpv4(address).map(SourceHostPolicy::internalRange).orElse(null);
    }

    /** The IPv4 address inside an IPv6 one that reaches it (IPv4-compatible, NAT64 or 6to4), if any. */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] bytes = address.getAddress();
        int from;
        if (IPV4_COMPATIBLE.contains(address) || NAT64.contains(address)) {
            from = 12;
        } else if (SIX_TO_FOUR.contains(address)) {
            from = 2;
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(bytes, from, from + 4)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an IPv4 address", e);
        }
    }

    private boolean isEngine(String host, InetAddress address) {
        for (String engine : engineHosts) {
            if (engine.equals(host)) {
                return true;
            }
            try {
                if (Arrays.asList(resolver.resolve(engine)).contains(address)) {
                    return true;
                }
            } catch (UnknownHostException e) {
                // an engine this service cannot resolve is none it reaches, nor the source's address
            }
        }
        return false;
    }

    private static Allowed allowedEntry(String entry) {
        String host = entry;
        int port = 0;
        if (entry.startsWith("[")) {
            int end = entry.indexOf(']');
            String rest = end < 0 ? "?" : entry.substring(end + 1);
            host = end < 0 ? "" : entry.substring(1, end);
            if (!rest.isEmpty()) {
                port = rest.startsWith(":") ? port(rest.substring(1), entry) : port("", entry);
            }
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            host = entry.substring(0, entry.indexOf(':'));
            port = port(entry.substring(entry.indexOf(':') + 1), entry);
        }
        Optional<AddressRange> range = AddressRange.parse(host);
        if (range.isPresent()) {
            return new Allowed(null, range.get(), port);
        }
        if (!host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9.])?")) {
            throw notAllowedForm(entry);
        }
        return new Allowed(normalized(host), null, port);
    }

    private static int port(String text, String entry) {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw notAllowedForm(entry);
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException notAllowedForm(String entry) {
        return new IllegalArgumentException(ALLOWED_HOSTS_VARIABLE + ": '" + entry + "' is not a " + ALLOWED_FORM);
    }

    /** The host of an engine's endpoint ({@code host:port}, {@code [v6]:port} or a URL), without its credentials. */
    private static Optional<String> hostOf(String endpoint) {
        String rest = endpoint.strip();
        int scheme = rest.indexOf("://");
        rest = scheme < 0 ? rest : rest.substring(scheme + 3);
        rest = rest.split("[/?#]", 2)[0];
        rest = rest.substring(rest.lastIndexOf('@') + 1);
        String host;
        if (rest.startsWith("[")) {
            host = rest.substring(1, Math.max(1, rest.indexOf(']')));
        } else if (rest.indexOf(':') == rest.lastIndexOf(':')) {
            host = rest.split(":", 2)[0];
        } else {
            host = rest; // a bare IPv6 address
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(normalized(host));
    }

    /** Names compare without case or a final dot. */
    private static String normalized(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static List<Map.Entry<AddressRange, String>> internalRanges() {
        // an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is always an Inet4Address in Java: the IPv4 rows cover it
        return Stream.of(Map.entry("0.0.0.0/8", "an unspecified address (0.0.0.0/8)"),
                Map.entry("127.0.0.0/8", "a loopback address"),
                Map.entry("10.0.0.0/8", "a private address (RFC 1918)"),
                Map.entry("172.16.0.0/12", "a private address (RFC 1918)"),
                Map.entry("192.168.0.0/16", "a private address (RFC 1918)"),
                Map.entry("100.64.0.0/10", "a shared address (carrier-grade NAT, RFC 6598)"),
                Map.entry("169.254.0.0/16", "a link-local address (where cloud metadata services answer)"),
                Map.entry("192.0.0.0/24", "an IETF protocol address (192.0.0.0/24)"),
                Map.entry("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
                Map.entry("224.0.0.0/4", "a multicast address"),
                Map.entry("240.0.0.0/4", "a reserved or broadcast address (240.0.0.0/4)"),
                Map.entry("::/128", "an unspecified address (::)"),
                Map.entry("::1/128", "a loopback address"),
                Map.entry("fc00::/7", "a private address (IPv6 unique local, fc00::/7)"),
                Map.entry("fe80::/10", "a link-local address"),
                Map.entry("fec0::/10", "a site-local address"),
                Map.entry("ff00::/8", "a multicast address"))
                .map(row -> Map.entry(range(row.getKey()), row.getValue())).toList();
    }

    private static AddressRange range(String cidr) {
        return AddressRange.parse(cidr).orElseThrow(() -> new IllegalStateException(cidr + " is a range"));
    }
}
