// Baseline for `npm run bench`: one cold start of matrix-js-sdk with its Rust crypto (WebAssembly)
// in a fresh Node process, answering the questions the doctor's status answers.
//
// Plain JavaScript run with plain `node` (no TypeScript loader), so module loading is timed as a
// Node app would see it. Usage: node bench/sdk-cold-start.mjs '<json>' where json =
// { baseUrl, userId, deviceId, accessToken, out }. The SDK gets its OWN freshly logged-in device
// (never the web app's session device). Writes the result JSON to `out`.
import { writeFileSync } from 'node:fs';

const t0 = performance.now();
const args = JSON.parse(process.argv[2] ?? '{}');
const since = () => performance.now() - t0;

// matrix-js-sdk 43 declares engines.node >= 22 and uses Promise.withResolvers (Node >= 22).
// On older Node, add the standard ES2024 behaviour so the SDK can run at all.
const polyfills = [];
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
  polyfills.push('Promise.withResolvers');
}

// Every HTTP exchange the SDK makes, with its interval (up to the full body), for the wave count.
const requests = [];
const NULL_BODY = new Set([101, 204, 205, 304]);
async function recordingFetch(input, init) {
  const start = since();
  const res = await fetch(input, init);
  const body = await res.arrayBuffer();
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  requests.push({ start, end: since(), label: `${init?.method ?? 'GET'} ${new URL(url).pathname}` });
  return new Response(NULL_BODY.has(res.status) ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

let client;
try {
  const sdk = await import('matrix-js-sdk');
  const { logger } = await import('matrix-js-sdk/lib/logger.js');
  logger.setLevel?.('warn');
  const importMs = since();

  client = sdk.createClient({
    baseUrl: args.baseUrl,
    accessToken: args.accessToken,
    userId: args.userId,
    deviceId: args.deviceId,
    fetchFn: recordingFetch,
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const initMs = since();
  const crypto = client.getCrypto();
  if (!crypto) throw new Error('client.getCrypto() returned undefined after initRustCrypto');

  // Without a /sync loop nothing sends the OlmMachine's queued requests (its own device-key upload
  // and the keys/query for its own user). The sync loop calls this after every sync; here it is
  // called once, directly — the cheapest route to an up-to-date device list.
  const outgoing = crypto.outgoingRequestsManager;
  if (typeof outgoing?.doProcessOutgoingRequests !== 'function') {
    throw new Error('this matrix-js-sdk has no outgoingRequestsManager.doProcessOutgoingRequests');
  }

  const marks = {};
  const keysAndDevices = (async () => {
    await outgoing.doProcessOutgoingRequests();
    const map = await crypto.getUserDeviceInfo([args.userId], true);
    const ids = [...(map.get(args.userId)?.keys() ?? [])];
    marks.device_list_ms = since();
    const [crossSigning, statuses] = await Promise.all([
      crypto.getCrossSigningStatus(),
      Promise.all(ids.map((id) => crypto.getDeviceVerificationStatus(args.userId, id))),
    ]);
    marks.devices_checked_ms = since();
    return { crossSigning, ids, statuses };
  })();
  const secretStorage = crypto.isSecretStorageReady().then((ready) => {
    marks.secret_storage_ms = since();
    return ready;
  });
  const backup = crypto.getKeyBackupInfo().then(async (info) => {
    const trust = info ? await crypto.isKeyBackupTrusted(info) : null;
    marks.backup_ms = since();
    return { version: info?.version ?? null, trusted: trust?.trusted ?? null, matchesDecryptionKey: trust?.matchesDecryptionKey ?? null };
  });
  const [kd, ssReady, bk] = await Promise.all([keysAndDevices, secretStorage, backup]);
  const totalMs = since();

  const others = kd.ids.filter((id) => id !== args.deviceId);
  const statusOf = (id) => kd.statuses[kd.ids.indexOf(id)];
  writeFileSync(args.out, JSON.stringify({
    ok: true,
    total_ms: totalMs,
    phases_ms: { import: importMs, init_rust_crypto: initMs - importMs, ...marks },
    // The same answers from a client whose start-up (import, initRustCrypto) is done: the first
    // pass of questions, which still fetches the device list from the server.
    running_ms: totalMs - initMs,
    max_rss_kb: process.resourceUsage().maxRSS,
    polyfills,
    requests,
    answers: {
      crossSigningStatus: kd.crossSigning,
      secretStorageReady: ssReady,
      backup: bk,
      devicesSeen: kd.ids.length,
      sdkDeviceSeen: kd.ids.includes(args.deviceId),
      otherDevicesSignedByOwner: others.filter((id) => statusOf(id)?.signedByOwner === true).length,
      otherDevices: others.length,
      statusesNull: kd.statuses.filter((s) => s === null).length,
    },
  }));
  client.stopClient();
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeFileSync(args.out, JSON.stringify({ ok: false, error: message, stack: error instanceof Error ? error.stack : undefined, polyfills, requests }));
  try { client?.stopClient(); } catch { /* already broken */ }
  process.exit(1);
}
