package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Exactly once from a lane's partitions into ClickHouse, one insert per batch however many partitions it spans:
 * <ol>
 *     <li><b>intent</b>: the batch's {@link Manifest} is committed as the offset metadata of every member, each at its
 *     first offset (one commit; none if a member is no longer held);</li>
 *     <li><b>insert</b>: the rows, with a token derived from the manifest, retried until they land or a member moves
 *     away;</li>
 *     <li><b>completion</b>: each held member's offset moves past its range, the metadata cleared.</li>
 * </ol>
 * A crash anywhere leaves each member either carrying the manifest at its first offset, or past its range once the
 * batch landed. Whoever is assigned a carrier next {@link #resolve resolves} the manifest by every member's
 * committed offset: a member past its range means the batch landed; every member still carrying it means it may
 * have, so the batch is re-formed from Kafka and inserted again with the same token, which ClickHouse drops if the
 * first insert had landed; a member at its first offset without it means the intent was only partly committed, so the
 * insert never ran and the carrier starts afresh.
 */
public final class CommitProtocol {

    private static final Logger LOG = Logger.getLogger(CommitProtocol.class);

    private final OffsetStore offsets;
    private final RowSink sink;
    private final RangeReader reader;
    private final Retry retry;
    private final CrashPoints crashPoints;

    public CommitProtocol(OffsetStore offsets, RowSink sink, RangeReader reader, Retry retry, CrashPoints crashPoints) {
        this.offsets = offsets;
        this.sink = sink;
        this.reader = reader;
        this.retry = retry;
        this.crashPoints = crashPoints;
    }

    /**
     * Where each newly assigned partition resumes, by its committed offset and the manifest it carries; a manifest
     * that landed has its carriers moved past it here. Runs where partitions are assigned, with that consumer's offsets.
     */
    public Map<TopicPartition, PartitionStart> resolve(OffsetStore assigned, Collection<TopicPartition> partitions) {
        Map<TopicPartition, PartitionStart> starts = new HashMap<>();
        if (partitions.isEmpty()) {
            return starts;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = assigned.committed(Set.copyOf(partitions));
        Map<TopicPartition, Manifest> carried = new HashMap<>();
        Set<TopicPartition> members = new HashSet<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            long at = offset == null ? 0 : offset.offset();
            starts.put(partition, PartitionStart.at(at));
            Optional<Manifest> manifest = Manifest.decode(partition, offset == null ? null : offset.metadata());
            if (manifest.isPresent() && manifest.get().member(partition.partition()).map(m -> m.first() == at).orElse(false)) {
                carried.put(partition, manifest.get());
                members.addAll(manifest.get().partitions());
            }
        }
        if (carried.isEmpty()) {
            return starts;
        }
        members.removeAll(committed.keySet());
        Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>(committed);
        all.putAll(assigned.committed(members));
        Map<TopicPartition, OffsetAndMetadata> settled = new HashMap<>();
        carried.forEach((partition, manifest) -> {
            Manifest.Member member = manifest.member(partition.partition()).orElseThrow();
            switch (state(manifest, all)) {
                case LANDED -> {
                    LOG.infof("%s: batch %s landed; moving past it", partition, manifest);
                    settled.put(partition, new OffsetAndMetadata(member.last() + 1));
                    starts.put(partition, PartitionStart.at(member.last() + 1));
                }
                case UNCERTAIN -> {
                    LOG.infof("%s: batch %s may not have landed; re-forming it", partition, manifest);
                    starts.put(partition, new PartitionStart(member.first(), member.last() + 1, Optional.of(manifest)));
                }
                case NEVER_INSERTED -> {
                    // cleared at once: were it left, a member moving past its range later would read as "landed"
                    LOG.infof("%s: batch %s was only partly intended, never inserted; starting afresh", partition, manifest);
                    settled.put(partition, new OffsetAndMetadata(member.first()));
                }
            }
        });
        assigned.commitHeld(settled, p -> true);
        return starts;
    }

    private enum State { LANDED, UNCERTAIN, NEVER_INSERTED }

    private static State state(Manifest manifest, Map<TopicPartition, OffsetAndMetadata> committed) {
        boolean allCarry = true;
        for (Manifest.Member member : manifest.members()) {
            OffsetAndMetadata offset = committed.get(new TopicPartition(manifest.topic(), member.partition()));
            long at = offset == null ? 0 : offset.offset();
            if (at > member.last()) {
                return State.LANDED;
            }
            allCarry &= at == member.first() && offset != null
                    && Manifest.decode(new TopicPartition(manifest.topic(), member.partition()), offset.metadata())
                    .map(manifest::equals).orElse(false);
        }
        return allCarry ? State.UNCERTAIN : State.NEVER_INSERTED;
    }

    /**
     * Intent, insert, completion of a new batch.
     *
     * @param held whether a member is still this batch's (see {@link BatchAssembler#holds})
     * @return the members whose offsets moved past the batch: none when a member moved away before the insert landed
     *         (its new owner re-forms the batch) or the lane stops
     * @throws org.apache.kafka.common.KafkaException Kafka refused a commit: rewind to the committed offsets
     */
    public Set<TopicPartition> store(Batch batch, Predicate<TopicPartition> held) {
        Manifest manifest = batch.manifest();
        Map<TopicPartition, OffsetAndMetadata> intents = new HashMap<>();
        String encoded = manifest.encode();
        for (Manifest.Member member : manifest.members()) {
            intents.put(new TopicPartition(manifest.topic(), member.partition()), new OffsetAndMetadata(member.first(), encoded));
        }
        if (!offsets.commitAll(intents, held)) {
            return Set.of(); // a member moved away since the batch was formed: its new owner reads it again
        }
        crashPoints.reached(CrashPoints.Point.AFTER_INTENT);
        return insertAndComplete(batch, batch.records(), held);
    }

    /**
     * A manifest found pending at assignment: its rows read again from Kafka (members held elsewhere too), inserted
     * with its token, and the held members completed.
     */
    public Set<TopicPartition> reform(Batch batch, Predicate<TopicPartition> held) {
        List<ConsumerRecord<String, SpecificRecord>> records = retry.until(() -> reader.read(batch.manifest()),
                () -> batch.queues().keySet().stream().allMatch(held), "reading " + batch.manifest() + " again");
        if (records == null) {
            return Set.of();
        }
        return insertAndComplete(batch, records, held);
    }

    private Set<TopicPartition> insertAndComplete(Batch batch, List<ConsumerRecord<String, SpecificRecord>> records,
                                                  Predicate<TopicPartition> held) {
        Manifest manifest = batch.manifest();
        Boolean inserted = retry.until(() -> {
            sink.insert(batch.table(), records, manifest.deduplicationToken());
            return Boolean.TRUE;
        }, () -> batch.queues().keySet().stream().allMatch(held), "inserting " + records.size() + " rows of " + manifest);
        if (inserted == null) {
            return Set.of(); // the members' new owners re-form it from the intent
        }
        crashPoints.reached(CrashPoints.Point.AFTER_INSERT);
        Map<TopicPartition, OffsetAndMetadata> past = new HashMap<>();
        for (Manifest.Member member : manifest.members()) {
            past.put(new TopicPartition(manifest.topic(), member.partition()), new OffsetAndMetadata(member.last() + 1));
        }
        return offsets.commitHeld(past, held);
    }
}
