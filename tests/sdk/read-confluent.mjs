// Reads Freshet's Avro topic as any Confluent-format consumer does: kafkajs for Kafka and
// @kafkajs/confluent-schema-registry for the wire format (magic byte 0, a 4-byte schema id, then the
// Avro body), the id resolved through the registry's Confluent-compatible API. No Freshet or Apicurio code.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, CCOMPAT_URL (the registry's /apis/ccompat/v7), TOPIC,
// START_OFFSETS (JSON {"partition": offset, ...}: where the test's events begin), EVENT_IDS (JSON array),
// TIMEOUT_MS. Prints each wanted event, decoded, as one JSON line (with its schema id); exits 0 when all
// were found, 2 on timeout, 1 on a failure.
import kafkajs from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import lz4 from 'lz4js';

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs; // a CommonJS module

// kafkajs reads only gzip by itself; this is its documented way to add a codec (the producers use lz4).
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(1);
  }
  return value;
};

const topic = env('TOPIC');
const startOffsets = JSON.parse(env('START_OFFSETS'));
const wanted = new Set(JSON.parse(env('EVENT_IDS')));
const timeoutMs = Number(process.env.TIMEOUT_MS ?? 60000);

const registry = new SchemaRegistry({ host: env('CCOMPAT_URL') });
const kafka = new Kafka({ clientId: 'confluent-format-reader', brokers: env('KAFKA_BOOTSTRAP_SERVERS').split(','),
  logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `confluent-format-reader-${process.pid}-${Date.now()}` });

let done;
const finished = new Promise((resolve) => { done = resolve; });
const timer = setTimeout(() => done(2), timeoutMs);

try {
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({
    autoCommit: false, // a reader for the test only: it leaves no offsets, so no lagging group behind
    eachMessage: async ({ message }) => {
      if (message.value === null || message.value.length < 5) {
        return;
      }
      let event;
      try {
        event = await registry.decode(message.value);
      } catch (error) {
        console.error(`cannot decode offset ${message.offset}: ${error?.stack ?? error}`);
        done(1);
        return;
      }
      if (!wanted.delete(event.event_id)) {
        return;
      }
      console.log(JSON.stringify({ schemaId: message.value.readInt32BE(1), event },
        (key, value) => (typeof value === 'bigint' ? value.toString() : value)));
      if (wanted.size === 0) {
        done(0);
      }
    },
  });
  for (const [partition, offset] of Object.entries(startOffsets)) {
    consumer.seek({ topic, partition: Number(partition), offset: String(offset) });
  }
  const code = await finished;
  if (code === 2) {
    console.error(`timed out after ${timeoutMs} ms; not found: ${[...wanted].join(', ')}`);
  }
  clearTimeout(timer);
  await consumer.disconnect();
  process.exit(code);
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
