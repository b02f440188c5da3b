#!/usr/bin/env node
// Sends a few events to Freshet's ingest gateway through a real analytics SDK
// (@segment/analytics-node or @rudderstack/rudder-sdk-node), with the SDK's own
// batching and retry left on, and checks that the SDK retries a batch the gateway
// had already stored (so the gateway must deduplicate by messageId).
//
// Usage: node send-with-sdk.mjs <segment|rudderstack>
//
// Environment:
//   FRESHET_INGEST_URL  gateway base URL, e.g. http://127.0.0.1:8080 (required)
//   FRESHET_WRITE_KEY   write key, sent by the SDK as HTTP Basic user (required)
//   RUN_ID              tags the events: userId is `user-${RUN_ID}` (default: random)
//   INJECT              how the first request carrying events fails after the gateway
//                       stored it: `503` (default) or `reset` (socket destroyed)
//   SDK_TIMEOUT_MS      overall limit for the SDK to deliver everything (default 60000)
//
// A small HTTP proxy on 127.0.0.1 (random port) sits between the SDK and the gateway.
// It forwards each request as received (method, path, headers except Host and the
// hop-by-hop ones, body bytes unchanged, gzip included) and returns the gateway's
// answer, except for the first request that carries events: that one is forwarded,
// the gateway's answer awaited, and then the SDK is answered 503 (or its socket is
// destroyed), so the SDK sends the same batch again.
//
// stdout: exactly one JSON line at the end, e.g.
//   {"sdk":"segment","calls":4,"requestsSeen":2,"retriedAfterStored":1,"statuses":[200,200],...}
// Exit 0 on success; 1 with a message on stderr if the SDK reported an error, nothing
// was forwarded, the injected failure was not retried, or the time ran out.

import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
]);

function fail(message, extra) {
  process.stderr.write(`send-with-sdk: ${message}\n`);
  if (extra !== undefined) process.stderr.write(`${typeof extra === 'string' ? extra : JSON.stringify(extra)}\n`);
  process.exitCode = 1;
}

const sdk = process.argv[2];
if (sdk !== 'segment' && sdk !== 'rudderstack') {
  fail('usage: node send-with-sdk.mjs <segment|rudderstack>');
  process.exit(1);
}
const ingestUrl = process.env.FRESHET_INGEST_URL;
const writeKey = process.env.FRESHET_WRITE_KEY;
if (!ingestUrl || !writeKey) {
  fail('FRESHET_INGEST_URL and FRESHET_WRITE_KEY must be set');
  process.exit(1);
}
const runId = process.env.RUN_ID || randomUUID();
const inject = (process.env.INJECT || '503').toLowerCase();
if (inject !== '503' && inject !== 'reset') {
  fail(`INJECT must be 503 or reset, not ${inject}`);
  process.exit(1);
}
const sdkTimeoutMs = Number(process.env.SDK_TIMEOUT_MS || 60000);
const userId = `user-${runId}`;

const target = new URL(ingestUrl);
const targetBasePath = target.pathname.replace(/\/+$/, '');
const transport = target.protocol === 'https:' ? https : http;
const upstreamAgent = new transport.Agent({ keepAlive: false });

// ---- what the proxy saw ----
const requests = [];            // { method, path, status, injected, messageIds }
const statuses = [];            // the gateway's status for each forwarded request, in order
let injection = null;           // { index, messageIds } once the failure has been injected
let proxyErrors = [];

/** messageIds in a request body (Segment/RudderStack batch or a single message), or null if not JSON. */
function messageIdsOf(headers, body) {
  try {
    let bytes = body;
    const encoding = String(headers['content-encoding'] || '').toLowerCase();
    if (encoding === 'gzip') bytes = zlib.gunzipSync(body);
    else if (encoding === 'deflate') bytes = zlib.inflateSync(body);
    const json = JSON.parse(bytes.toString('utf8'));
    const messages = Array.isArray(json?.batch) ? json.batch : (json && json.type ? [json] : []);
    return messages.map((m) => m?.messageId ?? null);
  } catch {
    return null;
  }
}

function forward(req, body) {
  return new Promise((resolve, reject) => {
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      const lower = name.toLowerCase();
      if (lower === 'host' || HOP_BY_HOP.has(lower)) continue;
      headers.push(name, req.rawHeaders[i + 1]);
    }
    headers.push('Host', target.host);
    const upstream = transport.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port || (target.protocol === 'https:' ? 443 : 80),
      method: req.method,
      path: targetBasePath + req.url,
      headers,
      agent: upstreamAgent,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    upstream.setTimeout(30000, () => upstream.destroy(new Error('gateway did not answer within 30 s')));
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function answer(res, upstream) {
  const headers = [];
  for (let i = 0; i < upstream.rawHeaders.length; i += 2) {
    const lower = upstream.rawHeaders[i].toLowerCase();
    if (lower === 'content-length' || HOP_BY_HOP.has(lower)) continue;
    headers.push(upstream.rawHeaders[i], upstream.rawHeaders[i + 1]);
  }
  headers.push('Content-Length', String(upstream.body.length));
  res.writeHead(upstream.status, headers);
  res.end(upstream.body);
}

const proxy = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const ids = messageIdsOf(req.headers, body);
    const record = { method: req.method, path: req.url, status: null, injected: false, messageIds: ids };
    requests.push(record);
    let upstream;
    try {
      upstream = await forward(req, body);
    } catch (err) {
      proxyErrors.push(`${req.method} ${req.url}: ${err.message}`);
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'proxy_error', message: err.message } }));
      return;
    }
    record.status = upstream.status;
    statuses.push(upstream.status);
    const carriesEvents = Array.isArray(ids) && ids.length > 0;
    const stored = upstream.status >= 200 && upstream.status < 300;
    if (carriesEvents && injection === null) {
      if (!stored) {
        // The gateway refused the batch: nothing stored, so nothing to test; pass it through.
        injection = { index: requests.length - 1, messageIds: ids, skipped: true };
        answer(res, upstream);
        return;
      }
      injection = { index: requests.length - 1, messageIds: ids, skipped: false };
      record.injected = true;
      if (inject === 'reset') {
        req.socket.destroy();
      } else {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'injected_failure', message: 'send-with-sdk proxy: batch stored, answering 503 so the SDK retries' } }));
      }
      return;
    }
    answer(res, upstream);
  });
  req.on('error', (err) => proxyErrors.push(`reading ${req.method} ${req.url}: ${err.message}`));
});

await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

// ---- the calls ----
const calls = [
  ['track', { userId, event: 'Order Completed', properties: { runId, orderId: `order-${runId}`, total: 42.5, currency: 'EUR' } }],
  ['track', { userId, event: 'Product Viewed', properties: { runId, productId: 'sku-1', name: 'Freshet mug', price: 12 } }],
  ['page', { userId, name: 'Home', properties: { runId, path: '/', title: 'Home', url: 'https://example.test/' } }],
  ['identify', { userId, traits: { runId, email: `${userId}@example.test`, plan: 'pro' } }],
];

const sdkErrors = [];
const describe = (err) => (err instanceof Error ? err.message : (typeof err === 'string' ? err : JSON.stringify(err)));

async function runSegment() {
  const { Analytics } = await import('@segment/analytics-node');
  const analytics = new Analytics({
    writeKey,
    host: proxyUrl,              // path stays the default /v1/batch
    flushAt: calls.length,       // one batch with all the calls
    flushInterval: 500,
    maxRetries: 3,               // SDK's retry on (its default is 10)
    httpRequestTimeout: 10000,
  });
  analytics.on('error', (err) => sdkErrors.push(`error event: ${describe(err?.reason ?? err)}`));
  const delivered = calls.map(([method, params]) => new Promise((resolve) => {
    analytics[method](params, (err) => {
      if (err) sdkErrors.push(`${method}: ${describe(err)}`);
      resolve();
    });
  }));
  await analytics.closeAndFlush({ timeout: sdkTimeoutMs });
  await Promise.all(delivered);
}

async function runRudderstack() {
  const { default: Analytics } = await import('@rudderstack/rudder-sdk-node');
  const analytics = new Analytics(writeKey, {
    dataPlaneUrl: proxyUrl,      // path stays the default /v1/batch
    flushAt: calls.length,
    flushInterval: 500,
    timeout: 10000,
    logLevel: 'error',           // the SDK logs with console.*; error goes to stderr
    // retryCount left at its default (3): the SDK's retry stays on
  });
  const delivered = calls.map(([method, params]) => new Promise((resolve) => {
    analytics[method](params, (err) => {
      if (err) sdkErrors.push(`${method}: ${describe(err)}`);
      resolve();
    });
  }));
  // The SDK sends the first call at once on its own, the rest when flushed.
  await analytics.flush();
  await Promise.all(delivered);
}

let timedOut = false;
const deadline = setTimeout(() => { timedOut = true; finish(); }, sdkTimeoutMs + 5000);

try {
  await (sdk === 'segment' ? runSegment() : runRudderstack());
} catch (err) {
  sdkErrors.push(`SDK threw: ${err?.stack || describe(err)}`);
}
finish();

function finish() {
  if (finish.done) return;
  finish.done = true;
  clearTimeout(deadline);
  proxy.close();
  proxy.closeAllConnections();
  upstreamAgent.destroy();

  const eventRequests = requests.filter((r) => Array.isArray(r.messageIds) && r.messageIds.length > 0);
  let retriedAfterStored = 0;
  if (injection && !injection.skipped) {
    const later = requests.slice(injection.index + 1);
    const resent = injection.messageIds.every((id) => later.some((r) => r.messageIds?.includes(id)));
    if (resent) retriedAfterStored = 1;
  }
  const messageIds = [...new Set(eventRequests.flatMap((r) => r.messageIds))];
  const result = {
    sdk,
    calls: calls.length,
    requestsSeen: requests.length,
    retriedAfterStored,
    statuses,
    runId,
    userId,
    inject,
    messageIds,
    batches: eventRequests.map((r) => ({ path: r.path, status: r.status, injected: r.injected, messageIds: r.messageIds })),
  };

  if (timedOut) fail(`the SDK did not finish within ${sdkTimeoutMs} ms`);
  if (proxyErrors.length) fail('the proxy could not reach the gateway', proxyErrors);
  if (sdkErrors.length) fail('the SDK reported errors', sdkErrors);
  if (requests.length === 0 || eventRequests.length === 0) fail('the SDK sent nothing that carried events');
  else if (!injection || injection.skipped) fail(`the gateway did not store the first batch (${eventRequests[0].status === null ? 'no answer' : `status ${eventRequests[0].status}`}), so no retry was tested`);
  else if (!retriedAfterStored) fail('the SDK did not send the failed batch again');
  if (eventRequests.some((r) => !r.messageIds.every((id) => typeof id === 'string' && id))) fail('a message without messageId was sent');
  const sentIds = new Set(messageIds);
  if (!process.exitCode && sentIds.size !== calls.length) fail(`expected ${calls.length} distinct messageIds, the SDK sent ${sentIds.size}`);

  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(process.exitCode ?? 0));
}
