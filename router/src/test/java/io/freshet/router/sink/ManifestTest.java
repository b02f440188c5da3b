package io.freshet.router.sink;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {

    private static final String TOPIC = "freshet.events.enriched";
    private final Manifest manifest = new Manifest(TOPIC, List.of(new Manifest.Member(0, 10, 19), new Manifest.Member(3, 7, 7)));

    @Test
    void aManifestReadsBackFromAnyMembersMetadata() {
        assertEquals("batch:0:10-19,3:7-7", manifest.encode());
        assertEquals(Optional.of(manifest), Manifest.decode(new TopicPartition(TOPIC, 3), manifest.encode()));
        assertEquals(Optional.empty(), Manifest.decode(new TopicPartition(TOPIC, 3), ""));
        assertEquals(Optional.empty(), Manifest.decode(new TopicPartition(TOPIC, 3), null));
    }

    @Test
    void theTokenIsTheSameForTheSameBatchAndDiffersForAnyOther() {
        var same = Manifest.decode(new TopicPartition(TOPIC, 0), manifest.encode()).orElseThrow();
        var other = new Manifest(TOPIC, List.of(new Manifest.Member(0, 10, 19), new Manifest.Member(3, 7, 8)));

        assertEquals(manifest.deduplicationToken(), same.deduplicationToken());
        assertNotEquals(manifest.deduplicationToken(), other.deduplicationToken());
        assertNotEquals(manifest.deduplicationToken(), new Manifest("freshet.billing.usage", manifest.members()).deduplicationToken());
        assertTrue(manifest.deduplicationToken().startsWith(TOPIC + ":"));
    }

    @Test
    void anIntentOfTheFormerSinglePartitionFormatIsAManifestOfItsPartitionWithItsFormerToken() {
        var legacy = Manifest.decode(new TopicPartition(TOPIC, 4), "inserting:100-199").orElseThrow();

        assertEquals(List.of(new Manifest.Member(4, 100, 199)), legacy.members());
        assertEquals(TOPIC + "-4:100-199", legacy.deduplicationToken());
        assertEquals("inserting:100-199", legacy.encode());
    }
}
