package io.freshet.router.sink;

import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One insert's intent: the offset range of every partition of one topic it takes rows from, in partition order. The
 * router commits it as the offset metadata of every member (each at its first offset) before the insert; whoever
 * finds it there after a crash re-forms exactly that batch, whose insert carries the same deduplication token.
 * <p>
 * Metadata written by routers before batches spanned partitions ({@code inserting:<first>-<last>}) reads as a manifest
 * of its one partition, with the token those routers gave it.
 */
public record Manifest(String topic, List<Member> members, boolean legacy) {

    /** Kafka's default offset.metadata.max.bytes is 4096: a manifest never grows past this. */
    public static final int MAX_ENCODED_LENGTH = 4000;
    private static final String PREFIX = "batch:";
    private static final String LEGACY_PREFIX = "inserting:";

    /** One partition's range in the batch, first and last offset included. */
    public record Member(int partition, long first, long last) {
        String encode() {
            return partition + ":" + first + "-" + last;
        }
    }

    public Manifest {
        members = List.copyOf(members);
    }

    public Manifest(String topic, List<Member> members) {
        this(topic, members, false);
    }

    public String encode() {
        if (legacy) {
            Member only = members.getFirst();
            return LEGACY_PREFIX + only.first() + "-" + only.last();
        }
        return PREFIX + members.stream().map(Member::encode).collect(Collectors.joining(","));
    }

    /** How long the encoding of a manifest with one more member would be. */
    public static int encodedLength(List<Member> members) {
        return PREFIX.length() + members.stream().mapToInt(m -> m.encode().length() + 1).sum();
    }

    /** The manifest in a partition's committed metadata; none when its last batch was completed. */
    public static Optional<Manifest> decode(TopicPartition partition, String metadata) {
        if (metadata == null) {
            return Optional.empty();
        }
        if (metadata.startsWith(LEGACY_PREFIX)) {
            long[] range = range(metadata.substring(LEGACY_PREFIX.length()));
            return Optional.of(new Manifest(partition.topic(), List.of(new Member(partition.partition(), range[0], range[1])), true));
        }
        if (!metadata.startsWith(PREFIX)) {
            return Optional.empty();
        }
        List<Member> members = new ArrayList<>();
        for (String member : metadata.substring(PREFIX.length()).split(",")) {
            int colon = member.indexOf(':');
            long[] range = range(member.substring(colon + 1));
            members.add(new Member(Integer.parseInt(member.substring(0, colon)), range[0], range[1]));
        }
        return Optional.of(new Manifest(partition.topic(), members));
    }

    private static long[] range(String firstDashLast) {
        int dash = firstDashLast.indexOf('-');
        return new long[] {Long.parseLong(firstDashLast.substring(0, dash)), Long.parseLong(firstDashLast.substring(dash + 1))};
    }

    public Optional<Member> member(int partition) {
        return members.stream().filter(m -> m.partition() == partition).findFirst();
    }

    public List<TopicPartition> partitions() {
        return members.stream().map(m -> new TopicPartition(topic, m.partition())).toList();
    }

    /** Identical for every attempt at this batch, by whichever router instance. */
    public String deduplicationToken() {
        if (legacy) {
            Member only = members.getFirst();
            return topic + "-" + only.partition() + ":" + only.first() + "-" + only.last();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(encode().getBytes(StandardCharsets.UTF_8));
            return topic + ":" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return topic + " " + encode();
    }
}
