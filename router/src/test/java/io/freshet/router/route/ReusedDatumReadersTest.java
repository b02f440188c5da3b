package io.freshet.router.route;

import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.record.EnrichedEvent;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReusedDatumReadersTest {

    private final ReusedDatumReaders<EnrichedEvent> readers = new ReusedDatumReaders<>();

    @Test
    void aSchemaParsedAgainWhenApicuriosCacheExpiredKeepsItsReader() {
        Schema first = parsed(EnrichedEvent.getClassSchema());
        Schema again = parsed(EnrichedEvent.getClassSchema());

        assertSame(readers.createDatumReader(first), readers.createDatumReader(again));
        assertSame(readers.createDatumReader(first), readers.createDatumReader(again), "and on every later record");
    }

    @Test
    void anotherSchemaGetsAReaderOfItsOwn() {
        Schema other = parsed(BillingUsage.getClassSchema());

        assertNotSame(readers.createDatumReader(parsed(EnrichedEvent.getClassSchema())), readers.createDatumReader(other));
    }

    @Test
    void manyExpiriesDoNotGrowItsMemory() {
        var reader = readers.createDatumReader(parsed(EnrichedEvent.getClassSchema()));
        for (int expiry = 0; expiry < 1_000; expiry++) {
            assertSame(reader, readers.createDatumReader(parsed(EnrichedEvent.getClassSchema())));
        }
        assertTrue(readers.instancesKept() <= 64, readers.instancesKept() + " instances kept");
    }

    private static Schema parsed(Schema schema) {
        return new Schema.Parser().parse(schema.toString());
    }
}
