package io.freshet.eventmodel.tenant;

import java.net.InetAddress;
import java.util.Optional;

/** A block of IP addresses, {@code address/prefix} (CIDR); a single address is a block of one. */
record AddressRange(byte[] network, int prefix) {

    /** {@code 10.0.0.0/8}, {@code fc00::/7}, or one address; empty when the text is neither. */
    static Optional<AddressRange> parse(String text) {
        int slash = text.indexOf('/');
        Optional<InetAddress> address = literal(slash < 0 ? text : text.substring(0, slash));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = address.get().getAddress();
        int bits = bytes.length * 8;
        if (slash < 0) {
            return Optional.of(new AddressRange(bytes, bits));
        }
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > bits) {
            return Optional.empty();
        }
        return Optional.of(new AddressRange(bytes, Integer.parseInt(prefix)));
    }

    /** The address this text is, without asking DNS: a name is no literal. */
    static Optional<InetAddress> literal(String text) {
        try {
            return Optional.of(InetAddress.ofLiteral(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
