#!/usr/bin/env node
// Subscribes to Freshet's live event counts over the graphql-ws protocol
// (subprotocol "graphql-transport-ws") with the graphql-ws client on `ws`, and waits
// until the count for one event type reaches a target.
//
// Environment:
//   FRESHET_ANALYTICS_URL  analytics API, e.g. http://127.0.0.1:8083 (required); http(s)
//                          becomes ws(s); with no path, /graphql is used
//   FRESHET_READ_KEY       read key, sent in connection_init as {"Authorization":"Bearer <key>"} (required)
//   TYPE                   event type to watch (required)
//   TARGET                 count to reach (required, a number)
//   TIMEOUT_MS             how long to wait (default 30000)
//
// stdout: each payload received (the `next` message's payload, e.g.
//   {"data":{"liveEventCounts":[{"type":"track","count":3}]}}) as one JSON line.
// Exit 0 as soon as liveEventCounts has an entry with type TYPE and count >= TARGET;
// 2 on timeout (last count on stderr); 3 when the server refused or ended the
// subscription, after printing {"error": ...} as one JSON line on stdout: the GraphQL
// errors of an `error` message (or of a `next` payload with errors and no data), the
// close code and reason, or the socket error (e.g. "Unexpected server response: 401");
// 1 on bad usage.

import WebSocket from 'ws';
import { createClient } from 'graphql-ws';

const QUERY = 'subscription { liveEventCounts { type count } }';

function usage(message) {
  process.stderr.write(`subscribe-counts: ${message}\n`);
  process.exit(1);
}

const base = process.env.FRESHET_ANALYTICS_URL;
const readKey = process.env.FRESHET_READ_KEY;
const type = process.env.TYPE;
const target = Number(process.env.TARGET);
const timeoutMs = Number(process.env.TIMEOUT_MS || 30000);
if (!base || !readKey || !type || process.env.TARGET === undefined) {
  usage('FRESHET_ANALYTICS_URL, FRESHET_READ_KEY, TYPE and TARGET must be set');
}
if (!Number.isFinite(target)) usage(`TARGET must be a number, not ${process.env.TARGET}`);
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) usage(`TIMEOUT_MS must be a positive number, not ${process.env.TIMEOUT_MS}`);

const url = new URL(base);
if (url.protocol === 'http:') url.protocol = 'ws:';
else if (url.protocol === 'https:') url.protocol = 'wss:';
if (url.pathname === '' || url.pathname === '/') url.pathname = '/graphql';

let lastCount = null;
let finished = false;
let socket = null;
let closeInfo = null;

const client = createClient({
  url: url.toString(),
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${readKey}` },
  lazy: true,                      // connect on subscribe
  retryAttempts: 0,                // a refusal is reported, not retried
  shouldRetry: () => false,
  connectionAckWaitTimeout: Math.min(timeoutMs, 10000),
  on: {
    connected: (s) => { socket = s; },
    closed: (event) => {
      if (event && typeof event === 'object' && 'code' in event) {
        closeInfo = { closeCode: event.code, reason: String(event.reason ?? ''), wasClean: Boolean(event.wasClean) };
      }
    },
  },
});

function describeError(err) {
  if (Array.isArray(err)) return err;                                   // GraphQL errors of an `error` message
  if (err && typeof err === 'object' && 'code' in err && 'reason' in err) {   // CloseEvent
    return { closeCode: err.code, reason: String(err.reason ?? ''), wasClean: Boolean(err.wasClean) };
  }
  if (err && typeof err === 'object' && err.type === 'error') {          // ws ErrorEvent
    return { message: err.message || err.error?.message || 'WebSocket error', ...(closeInfo ? { close: closeInfo } : {}) };
  }
  if (err instanceof Error) return { message: err.message, ...(closeInfo ? { close: closeInfo } : {}) };
  return err;
}

function exit(code, stdoutLine, stderrLine) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  try { unsubscribe(); } catch { /* already gone */ }
  try { client.terminate(); } catch { /* not connected */ }
  try { socket?.terminate?.(); } catch { /* closed */ }
  if (stderrLine) process.stderr.write(`subscribe-counts: ${stderrLine}\n`);
  const done = () => process.exit(code);
  if (stdoutLine !== undefined) process.stdout.write(`${stdoutLine}\n`, done);
  else done();
}

const timer = setTimeout(() => {
  exit(2, undefined, `timeout after ${timeoutMs} ms: count for ${type} is ${lastCount ?? 'never seen'}, target ${target}`);
}, timeoutMs);

const unsubscribe = client.subscribe({ query: QUERY }, {
  next(payload) {
    if (finished) return;
    process.stdout.write(`${JSON.stringify(payload)}\n`);
    if (payload?.errors?.length && !payload.data) {
      exit(3, JSON.stringify({ error: payload.errors }));
      return;
    }
    const counts = payload?.data?.liveEventCounts;
    if (Array.isArray(counts)) {
      const entry = counts.find((c) => c?.type === type);
      if (entry) {
        lastCount = entry.count;
        if (Number(entry.count) >= target) exit(0);
      }
    }
  },
  error(err) {
    exit(3, JSON.stringify({ error: describeError(err) }));
  },
  complete() {
    exit(3, JSON.stringify({ error: { message: `the server completed the subscription before the count for ${type} reached ${target}`, lastCount, ...(closeInfo ? { close: closeInfo } : {}) } }));
  },
});
