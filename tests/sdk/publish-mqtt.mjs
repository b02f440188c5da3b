#!/usr/bin/env node
// Publishes events to Freshet's MQTT broker as a device would, with the npm `mqtt` client (MQTT 5, QoS 1), each
// message a JSON event without an event_id (so the sources service derives it), and counts the broker's answers.
//
// Usage: node publish-mqtt.mjs <topic> <count> [messages-per-second]
//
// Environment:
//   MQTT_URL        the broker, e.g. mqtt://127.0.0.1:1883 (required)
//   MQTT_USER       the tenant id (required)
//   MQTT_PASSWORD   a write key of the tenant: its MQTT login (required)
//   RUN_ID          tags the events (property run)
//   PAYLOAD         sent as it is instead of the events (e.g. what is not JSON, to be dead-lettered)
//
// Message i is {"user_id":"device-1","seq":i,"run":RUN_ID}, or PAYLOAD. Each is published once and its PUBACK awaited (up to 500 at
// a time); the broker's refusal (a PUBACK reason code of 128 or more, e.g. 135 not authorized) is counted, not retried.
// stdout: one JSON line at the end, {"acked":n,"refused":m,"reasonCodes":[...]}. Exit 0 when every message got an
// answer; 1 with a message on stderr when the connection failed or the time ran out.

import mqtt from 'mqtt';

const [topic, countArg, rateArg] = process.argv.slice(2);
const count = Number(countArg);
const rate = rateArg ? Number(rateArg) : 0;
const { MQTT_URL, MQTT_USER, MQTT_PASSWORD, RUN_ID = `${Date.now()}`, PAYLOAD } = process.env;
if (!topic || !count || !MQTT_URL || !MQTT_USER || !MQTT_PASSWORD) {
  console.error('usage: MQTT_URL=... MQTT_USER=... MQTT_PASSWORD=... node publish-mqtt.mjs <topic> <count> [rate]');
  process.exit(2);
}

// The broker reloads its users a moment after the tenant's login is made: a refused connection is tried again.
const client = mqtt.connect(MQTT_URL, {
  protocolVersion: 5, username: MQTT_USER, password: MQTT_PASSWORD, clean: true,
  reconnectPeriod: 500, connectTimeout: 5000, reconnectOnConnackError: true,
});
let lastError = 'none';
client.on('error', (e) => { lastError = e.message; });
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no connection within 30 s (last error: ${lastError})`)), 30000);
  client.once('connect', () => { clearTimeout(timer); resolve(); });
}).catch((e) => { console.error(`cannot connect: ${e.message}`); process.exit(1); });

let acked = 0;
let refused = 0;
const reasonCodes = new Set();
const inFlight = new Set();
const started = Date.now();
for (let i = 0; i < count; i++) {
  if (rate > 0) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
  const payload = PAYLOAD ?? JSON.stringify({ user_id: 'device-1', seq: i, run: RUN_ID });
  const publish = client.publishAsync(topic, payload, { qos: 1 })
    .then((packet) => {
      const code = packet?.reasonCode ?? 0;
      if (code >= 128) { refused++; reasonCodes.add(code); } else { acked++; }
    })
    .catch((e) => { refused++; reasonCodes.add(e.code ?? e.message); })
    .finally(() => inFlight.delete(publish));
  inFlight.add(publish);
  if (inFlight.size >= 500) await Promise.race(inFlight);
}
const timeout = setTimeout(() => { console.error(`only ${acked + refused} of ${count} answered`); process.exit(1); }, 60000);
await Promise.all(inFlight);
clearTimeout(timeout);
await client.endAsync();
console.log(JSON.stringify({ acked, refused, reasonCodes: [...reasonCodes] }));
