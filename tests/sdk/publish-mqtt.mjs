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
//   MQTT_CLIENT_ID  the client id; a device's is <tenant>:<name>, so the default is <MQTT_USER>:<random>
//   EVENT_IDS       1: each event carries an event_id of its own, so a copy the client sends again (after a connection
//                   closed before its PUBACK arrived) is stored once
//   MQTT_CONNECT_ONCE  1: a refused connection is not tried again; stdout is {"connected":false,"reasonCode":n}
//
// Message i is {"user_id":"device-1","seq":i,"run":RUN_ID}, or PAYLOAD. Each is published once and its PUBACK awaited (up to 500 at
// a time); the broker's refusal (a PUBACK reason code of 128 or more, e.g. 135 not authorized) is counted, not retried.
// stdout: one JSON line at the end, {"acked":n,"refused":m,"reasonCodes":[...],"reconnects":r}. Exit 0 when every message got an
// answer; 1 with a message on stderr when the connection failed or the time ran out.

import mqtt from 'mqtt';

const [topic, countArg, rateArg] = process.argv.slice(2);
const count = Number(countArg);
const rate = rateArg ? Number(rateArg) : 0;
const { MQTT_URL, MQTT_USER, MQTT_PASSWORD, RUN_ID = `${Date.now()}`, PAYLOAD } = process.env;
const clientId = process.env.MQTT_CLIENT_ID ?? `${MQTT_USER}:device-${Math.random().toString(16).slice(2, 10)}`;
if (!topic || !count || !MQTT_URL || !MQTT_USER || !MQTT_PASSWORD) {
  console.error('usage: MQTT_URL=... MQTT_USER=... MQTT_PASSWORD=... node publish-mqtt.mjs <topic> <count> [rate]');
  process.exit(2);
}

// The broker reloads its users a moment after the tenant's login is made: a refused connection is tried again. A
// publish the broker does not acknowledge (it closes the connection of a tenant over its rate) is sent again after
// the reconnection, from the client's store.
const client = mqtt.connect(MQTT_URL, {
  protocolVersion: 5, clientId, username: MQTT_USER, password: MQTT_PASSWORD, clean: true,
  reconnectPeriod: 500, connectTimeout: 5000, reconnectOnConnackError: true,
});
let lastError = 'none';
let reconnects = 0;
client.on('error', (e) => {
  lastError = e.message;
  if (process.env.MQTT_CONNECT_ONCE === '1' && !client.connected) {
    console.log(JSON.stringify({ connected: false, reasonCode: e.code ?? null, error: e.message }));
    process.exit(0);
  }
});
client.on('reconnect', () => { reconnects++; });
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
  const event = { user_id: 'device-1', seq: i, run: RUN_ID };
  if (process.env.EVENT_IDS === '1') event.event_id = crypto.randomUUID();
  const payload = PAYLOAD ?? JSON.stringify(event);
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
console.log(JSON.stringify({ acked, refused, reasonCodes: [...reasonCodes], reconnects }));
