import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMatrixClient, type RequestReport } from './client.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from './fake-homeserver.test.ts';
import { ok } from '../result.ts';
import { parseSignaturesUploadResponse } from './parse.ts';
import { v3 } from './url.ts';

const TOKEN = 'syt_YWxpY2U_sEcReTtOkEn_0a1b2c';
const ALICE = '@alice:example.org';

let hs: FakeHomeserver;
before(async () => { hs = await startFakeHomeserver(); });
after(() => hs.close());
beforeEach(() => { hs.requests.length = 0; });

const client = (extra: Partial<Parameters<typeof createMatrixClient>[0]> = {}) =>
  createMatrixClient({ baseUrl: hs.url, fetch, accessToken: TOKEN, ...extra });

describe('createMatrixClient: requests on the wire', () => {
  it('whoami sends the token only in the Authorization header, and no Content-Type without a body', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { user_id: ALICE, device_id: 'DEV1', is_guest: false }));
    const me = await client().whoami();
    assert.deepEqual(me, { user_id: ALICE, device_id: 'DEV1', is_guest: false });
    const [req] = hs.requests;
    assert.equal(req?.method, 'GET');
    assert.equal(req?.path, '/_matrix/client/v3/account/whoami');
    assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req?.headers['content-type'], undefined);
    assert.equal(req?.headers.cookie, undefined);
    assert.ok(!req?.path.includes(TOKEN));
  });

  it('percent-encodes every path segment (user id, account data type)', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { key: 'abc' }));
    const content = await client().getAccountData(ALICE, 'm.secret_storage.key.a/b?c#d %');
    assert.deepEqual(content, { key: 'abc' });
    assert.equal(
      hs.requests[0]?.path,
      '/_matrix/client/v3/user/%40alice%3Aexample.org/account_data/m.secret_storage.key.a%2Fb%3Fc%23d%20%25',
    );
  });

  it('normalises trailing slashes and keeps a path prefix in baseUrl', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { versions: ['v1.11', 42, 'v1.18'], unstable_features: { 'org.x': true, bad: 'yes' } }));
    const c = createMatrixClient({ baseUrl: `${hs.url}/matrix///`, fetch });
    assert.equal(c.baseUrl, `${hs.url}/matrix`);
    assert.deepEqual(await c.versions(), { versions: ['v1.11', 'v1.18'], unstable_features: { 'org.x': true } });
    assert.equal(hs.requests[0]?.path, '/matrix/_matrix/client/versions');
  });

  it('does not send the token to /versions', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { versions: ['v1.18'] }));
    await client().versions();
    assert.equal(hs.requests[0]?.headers.authorization, undefined);
  });

  it('rejects bad base URLs, fetch, token and limits with TypeError/RangeError', () => {
    for (const baseUrl of ['ftp://example.org', 'javascript:alert(1)', 'example.org', '', 'https://u:p@example.org', 'https://example.org/?x=1']) {
      assert.throws(() => createMatrixClient({ baseUrl, fetch }), TypeError, baseUrl);
    }
    assert.throws(() => createMatrixClient({ baseUrl: 'https://u:hunter2@exa mple.org', fetch }), (e: Error) => e instanceof TypeError && !e.message.includes('hunter2'));
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch: 'fetch' as unknown as typeof fetch }), TypeError);
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, accessToken: 'abc\r\nX-Evil: 1' }), TypeError);
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, accessToken: '' }), TypeError);
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, timeoutMs: 0 }), RangeError);
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, maxResponseBytes: 1.5 }), RangeError);
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, userAgent: 'x' as never }), TypeError);
  });

  it('rejects empty, "." and ".." segments instead of letting the URL parser resolve them', async () => {
    const c = client();
    await assert.rejects(c.getAccountData('..', 'm.x'), TypeError);
    await assert.rejects(c.getAccountData(ALICE, ''), TypeError);
    await assert.rejects(c.request('GET', ['_matrix', '.', 'x']), TypeError);
    await assert.rejects(c.request('GET', ['_matrix'], { query: { access_token: TOKEN } }), TypeError);
    assert.equal(hs.requests.length, 0);
  });

  it('asks a token function before every request', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { user_id: ALICE }));
    let n = 0;
    const c = client({ accessToken: async () => `tok_${++n}` });
    await c.whoami();
    await c.whoami();
    assert.deepEqual(hs.requests.map((r) => r.headers.authorization), ['Bearer tok_1', 'Bearer tok_2']);
  });

  it('queryKeys posts device_keys with [] per user, and keeps unrequested users for the caller', async () => {
    const device = { user_id: ALICE, device_id: 'DEV1', algorithms: ['m.olm.v1.curve25519-aes-sha2'], keys: { 'ed25519:DEV1': 'pub' }, signatures: { [ALICE]: { 'ed25519:DEV1': 'sig' } } };
    hs.handle((_req, res) => sendJson(res, 200, {
      device_keys: { [ALICE]: { DEV1: device, BAD: { ...device, device_id: 7 } } },
      master_keys: { '@mallory:evil.example': { user_id: '@mallory:evil.example', usage: ['master'], keys: { 'ed25519:M': 'M' } } },
    }));
    const result = await client().queryKeys([ALICE], { timeout: 10_000 });
    assert.deepEqual(JSON.parse(hs.requests[0]?.body ?? ''), { device_keys: { [ALICE]: [] }, timeout: 10_000 });
    assert.equal(hs.requests[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(result.response.device_keys?.[ALICE]?.DEV1, device);
    assert.deepEqual(Object.keys(result.response.master_keys ?? {}), ['@mallory:evil.example']);
    assert.equal(result.skipped.length, 1);
    assert.match(result.warnings[0] ?? '', /"BAD": device_id is not a string/);
    await assert.rejects(client().queryKeys([ALICE, 5 as unknown as string]), TypeError);
  });

  // Writes go through request() with a plan step's segments and body, as the executor sends them.
  it('a device_signing/upload through request() sends the body unchanged and resolves {}', async () => {
    hs.handle((_req, res) => sendJson(res, 200, {}));
    const master = { user_id: ALICE, usage: ['master'], keys: { 'ed25519:M': 'M' } };
    const body = { master_key: master, auth: { session: 'dummy' } };
    assert.deepEqual(await client().request('POST', v3('keys', 'device_signing', 'upload'), { body }), {});
    assert.equal(hs.requests[0]?.path, '/_matrix/client/v3/keys/device_signing/upload');
    assert.equal(hs.requests[0]?.body, JSON.stringify(body));
  });

  it('signatures/upload with the executor\'s parser returns Synapse-shaped failures (message, not error)', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { failures: { [ALICE]: { DEV1: { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Invalid signature' } } } }));
    const result = await client().request('POST', v3('keys', 'signatures', 'upload'), { body: {}, parse: parseSignaturesUploadResponse });
    assert.deepEqual(result.failures[ALICE]?.DEV1, { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Invalid signature' });
  });

  it('account data PUTs JSON; key backup paths encode the version', async () => {
    hs.handle((req, res) => req.method === 'GET'
      ? sendJson(res, 200, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'pk' }, count: 0, etag: '1', version: '1/2' })
      : sendJson(res, 200, {}));
    const c = client();
    assert.deepEqual(await c.request('PUT', v3('user', ALICE, 'account_data', 'm.secret_storage.default_key'), { body: { key: 'k' } }), {});
    assert.equal((await c.getKeyBackupVersion('1/2'))?.version, '1/2');
    await c.request('PUT', v3('room_keys', 'version', '1/2'), { body: { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'pk' } } });
    assert.deepEqual(hs.requests.map((r) => `${r.method} ${r.path} ${r.headers['content-type'] ?? '-'}`), [
      'PUT /_matrix/client/v3/user/%40alice%3Aexample.org/account_data/m.secret_storage.default_key application/json',
      'GET /_matrix/client/v3/room_keys/version/1%2F2 -',
      'PUT /_matrix/client/v3/room_keys/version/1%2F2 application/json',
    ]);
    assert.equal(hs.requests[0]?.body, '{"key":"k"}');
  });

  it('request() reaches any endpoint, with an optional parser', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { n: 3 }));
    const c = client();
    assert.deepEqual(await c.request('GET', ['_matrix', 'client', 'v3', 'thirdparty', 'protocols']), { n: 3 });
    const n = await c.request('POST', ['_matrix', 'client', 'v3', 'x y'], { body: { a: 1 }, query: { since: 's 1' }, parse: (v) => ok(typeof v) });
    assert.equal(n, 'object');
    assert.equal(hs.requests[1]?.path, '/_matrix/client/v3/x%20y?since=s+1');
  });

  it('onRequest hears method, token-free url, status and ms; a throwing hook changes nothing', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { user_id: ALICE }));
    const seen: RequestReport[] = [];
    await client({ onRequest: (i) => seen.push(i) }).whoami();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'GET');
    assert.equal(seen[0]?.url, `${hs.url}/_matrix/client/v3/account/whoami`);
    assert.equal(seen[0]?.status, 200);
    assert.ok((seen[0]?.ms ?? -1) >= 0);
    assert.ok(!JSON.stringify(seen).includes(TOKEN));
    await client({ onRequest: () => { throw new Error('boom'); } }).whoami();
  });
});
