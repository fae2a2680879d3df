import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMatrixClient } from '../matrix/client.ts';
import { ConnectionError, MatrixApiError } from '../matrix/errors.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from '../matrix/fake-homeserver.test.ts';
import { MAX_KEY_DESCRIPTIONS } from './account-state.ts';
import { fetchAccountState } from './fetch-state.ts';
import { healthyView, serveView, stateOf, USER } from './fixture.test.ts';

let hs: FakeHomeserver;
before(async () => { hs = await startFakeHomeserver(); });
after(() => hs.close());
beforeEach(() => { hs.requests.length = 0; });

/** An injected fetch that records when each request started and ended. */
function timedFetch() {
  const log: { url: string; start: number; end: number }[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const entry = { url: String(input), start: performance.now(), end: Infinity };
    log.push(entry);
    try {
      const res = await fetch(input, init);
      const body = await res.arrayBuffer(); // the body is part of the exchange
      return new Response(body, { status: res.status, headers: res.headers });
    } finally {
      entry.end = performance.now();
    }
  };
  return { fetchFn, log };
}

/** Wave of each request: 1 + the highest wave of any request that finished before it started. */
function waves(log: { start: number; end: number }[]): number[] {
  const sorted = [...log].sort((a, b) => a.start - b.start);
  const wave: number[] = [];
  sorted.forEach((r, i) => {
    let w = 1;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= r.start) w = Math.max(w, wave[j]! + 1);
    wave.push(w);
  });
  return wave;
}

const client = (fetchFn: typeof fetch = fetch) => createMatrixClient({ baseUrl: hs.url, accessToken: 'tok_secret_123', fetch: fetchFn });

describe('fetchAccountState', () => {
  it('reads everything in exactly two waves and keeps the raw JSON as received', async () => {
    const view = await healthyView();
    hs.handle(serveView(view, { delayMs: 40 }));
    const { fetchFn, log } = timedFetch();
    const state = await fetchAccountState(client(fetchFn), USER);
    assert.deepEqual(state, stateOf(view));
    assert.equal(log.length, 8); // keys/query, default key, 4 secrets, backup, 1 key description
    const w = waves(log);
    assert.equal(Math.max(...w), 2);
    assert.equal(w.filter((x) => x === 1).length, 7);
    const second = log.find((r) => r.url.includes('m.secret_storage.key.'));
    assert.ok(second);
    const keysQuery = hs.requests.find((r) => r.path === '/_matrix/client/v3/keys/query');
    assert.deepEqual(JSON.parse(keysQuery!.body), { device_keys: { [USER]: [] } });
  });

  it('fetches all referenced key descriptions in the one second wave, bounded', async () => {
    const view = await healthyView();
    const encrypted: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) encrypted[`id${i}`] = { iv: 'a', ciphertext: 'b', mac: 'c' };
    view.accountData.set('m.cross_signing.user_signing', { encrypted });
    hs.handle(serveView(view, { delayMs: 20 }));
    const { fetchFn, log } = timedFetch();
    const state = await fetchAccountState(client(fetchFn), USER);
    assert.equal(state.keyDescriptions.length, MAX_KEY_DESCRIPTIONS);
    assert.equal(state.keyIdsSkipped.length, 41 - MAX_KEY_DESCRIPTIONS);
    assert.equal(Math.max(...waves(log)), 2);
    assert.equal(log.length, 7 + MAX_KEY_DESCRIPTIONS);
  });

  it('with nothing to describe there is a single wave', async () => {
    const view = await healthyView();
    view.accountData.clear();
    hs.handle(serveView(view, { delayMs: 20 }));
    const { fetchFn, log } = timedFetch();
    const state = await fetchAccountState(client(fetchFn), USER);
    assert.equal(log.length, 7);
    assert.equal(Math.max(...waves(log)), 1);
    assert.deepEqual(state.secrets.map((s) => s.read.status), ['absent', 'absent', 'absent', 'absent']);
  });

  it('optional reads that fail are data; 404 without M_NOT_FOUND is a failure, not "absent"', async () => {
    const view = await healthyView();
    const serve = serveView(view);
    hs.handle((req, res) => {
      if (req.path.includes('room_keys')) sendJson(res, 500, { errcode: 'M_UNKNOWN', error: 'boom' });
      else if (req.path.endsWith('m.megolm_backup.v1')) sendJson(res, 403, { errcode: 'M_FORBIDDEN', error: 'no' });
      else if (req.path.endsWith('m.cross_signing.master')) sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'what' });
      else serve(req, res);
    });
    const state = await fetchAccountState(client(), USER);
    assert.equal(state.backup.read.status, 'failed');
    const failed = state.secrets.filter((s) => s.read.status === 'failed').map((s) => s.name);
    assert.deepEqual(failed, ['m.cross_signing.master', 'm.megolm_backup.v1']);
    const backupRead = state.backup.read;
    assert.ok(backupRead.status === 'failed' && !backupRead.error.message.includes('tok_secret_123'));
  });

  it('a failing keys/query rejects (connection error or Matrix error), and cancels the rest', async () => {
    hs.handle((req, res) => {
      if (req.path.endsWith('keys/query')) sendJson(res, 502, 'bad gateway');
      else setTimeout(() => sendJson(res, 404, { errcode: 'M_NOT_FOUND' }), 2000);
    });
    const t = performance.now();
    await assert.rejects(fetchAccountState(client(), USER), ConnectionError);
    assert.ok(performance.now() - t < 1500, 'did not fail fast');
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid token' }));
    await assert.rejects(fetchAccountState(client(), USER), (e: unknown) => e instanceof MatrixApiError && e.errcode === 'M_UNKNOWN_TOKEN');
  });

  it('an unreachable homeserver rejects with ConnectionError', async () => {
    const c = createMatrixClient({ baseUrl: 'http://127.0.0.1:1', accessToken: 't', fetch });
    await assert.rejects(fetchAccountState(c, USER), ConnectionError);
  });

  it('a keys/query body unusable as a whole is a ConnectionError; malformed entries are not', async () => {
    hs.handle((req, res) => (req.path.endsWith('keys/query') ? sendJson(res, 200, { device_keys: [] }) : sendJson(res, 404, { errcode: 'M_NOT_FOUND' })));
    await assert.rejects(fetchAccountState(client(), USER), /keys\/query/);
    hs.handle((req, res) => (req.path.endsWith('keys/query')
      ? sendJson(res, 200, { device_keys: { [USER]: { D: 'junk' } } })
      : sendJson(res, 404, { errcode: 'M_NOT_FOUND' })));
    const state = await fetchAccountState(client(), USER);
    assert.equal(state.keysQuery.result.skipped.length, 1);
    assert.deepEqual(state.keysQuery.raw, { device_keys: { [USER]: { D: 'junk' } } });
  });

  it('honours an abort signal and rejects bad arguments', async () => {
    hs.handle((_req, res) => setTimeout(() => sendJson(res, 404, { errcode: 'M_NOT_FOUND' }), 2000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(fetchAccountState(client(), USER, { signal: controller.signal }), (e: unknown) => e instanceof ConnectionError && e.kind === 'aborted');
    await assert.rejects(fetchAccountState(client(), ''), TypeError);
  });
});
