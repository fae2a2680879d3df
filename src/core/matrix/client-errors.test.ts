import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMatrixClient, type RequestReport } from './client.ts';
import { ConnectionError, MatrixApiError, UiaRequiredError, type ConnectionErrorKind } from './errors.ts';
import { MAX_JSON_DEPTH } from './transport.ts';
import { v3 } from './url.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from './fake-homeserver.test.ts';

const TOKEN = 'syt_YWxpY2U_sEcReTtOkEn_0a1b2c';
const ALICE = '@alice:example.org';
const KEYS_QUERY = 'POST /_matrix/client/v3/keys/query';

let hs: FakeHomeserver;
before(async () => { hs = await startFakeHomeserver(); });
after(() => hs.close());
beforeEach(() => { hs.requests.length = 0; });

const client = (extra: Partial<Parameters<typeof createMatrixClient>[0]> = {}) =>
  createMatrixClient({ baseUrl: hs.url, fetch, accessToken: TOKEN, timeoutMs: 2_000, ...extra });

/** Await a rejection, check it never mentions the token, and hand it back typed. */
async function rejection<E extends Error>(p: Promise<unknown>, cls: new (...args: never[]) => E): Promise<E> {
  const error = await p.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
  assert.ok(!error.message.includes(TOKEN), `token leaked into: ${error.message}`);
  assert.ok(!String(error.stack).includes(TOKEN));
  return error;
}

async function connectionError(p: Promise<unknown>, kind: ConnectionErrorKind): Promise<ConnectionError> {
  const error = await rejection(p, ConnectionError);
  assert.equal(error.kind, kind, error.message);
  return error;
}

describe('createMatrixClient: Synapse error answers', () => {
  it('401 with flows (docs/matrix-api.md#uia-challenge) → UiaRequiredError with the parsed challenge', async () => {
    hs.handle((_req, res) => sendJson(res, 401, {
      flows: [{ stages: ['m.login.password'] }, { stages: ['m.login.sso'] }], params: {}, session: 'xxxxxx',
      completed: [], errcode: 'M_FORBIDDEN', error: 'Invalid username or password',
    }));
    const e = await rejection(client().request('POST', v3('keys', 'device_signing', 'upload'), { body: {} }), UiaRequiredError);
    assert.equal(e.status, 401);
    assert.equal(e.challenge.session, 'xxxxxx');
    assert.deepEqual(e.challenge.flows, [{ stages: ['m.login.password'] }, { stages: ['m.login.sso'] }]);
    assert.equal(e.challenge.errcode, 'M_FORBIDDEN');
    assert.equal(e.message, 'Homeserver requires user-interactive authentication for POST /_matrix/client/v3/keys/device_signing/upload (flows: m.login.password | m.login.sso); the last attempt failed with M_FORBIDDEN "Invalid username or password"');
  });

  it('the MAS 401 (docs/matrix-api.md#uia-oauth) → UiaRequiredError carrying both stage URLs', async () => {
    const url = 'https://auth.example.org/account?action=org.matrix.cross_signing_reset';
    hs.handle((_req, res) => sendJson(res, 401, {
      session: 'dummy', flows: [{ stages: ['m.oauth'] }, { stages: ['org.matrix.cross_signing_reset'] }],
      params: { 'm.oauth': { url }, 'org.matrix.cross_signing_reset': { url } },
      msg: `To reset your end-to-end encryption cross-signing identity, you first need to approve it at ${url} and then try again.`,
    }));
    const e = await rejection(client().request('POST', v3('keys', 'device_signing', 'upload'), { body: {} }), UiaRequiredError);
    assert.deepEqual(e.challenge.params['m.oauth'], { url });
    assert.equal(e.challenge.session, 'dummy');
    assert.equal((e.challenge.raw as { msg: string }).msg.includes(url), true);
  });

  it('401 M_UNKNOWN_TOKEN with soft_logout is a MatrixApiError, never UIA', async () => {
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: true }));
    const e = await rejection(client().whoami(), MatrixApiError);
    assert.equal(e.status, 401);
    assert.equal(e.errcode, 'M_UNKNOWN_TOKEN');
    assert.equal(e.softLogout, true);
    assert.deepEqual(e.body, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: true });
    assert.equal(e.message, 'Homeserver answered 401 Unauthorized M_UNKNOWN_TOKEN for GET /_matrix/client/v3/account/whoami: "Invalid access token passed."');
  });

  it('401 M_UNKNOWN_TOKEN with a malformed flows field is still not UIA', async () => {
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'x', flows: [{ stages: 'm.login.password' }] }));
    const e = await rejection(client().whoami(), MatrixApiError);
    assert.equal(e.softLogout, false);
  });

  it('without a token: no Authorization header, 401 M_MISSING_TOKEN → MatrixApiError', async () => {
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' }));
    const e = await rejection(createMatrixClient({ baseUrl: hs.url, fetch }).whoami(), MatrixApiError);
    assert.equal(e.errcode, 'M_MISSING_TOKEN');
    assert.equal(hs.requests[0]?.headers.authorization, undefined);
  });

  it('429 M_LIMIT_EXCEEDED → retryAfterMs from retry_after_ms, or from Retry-After seconds', async () => {
    hs.handle((_req, res) => sendJson(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 2000 }));
    const e = await rejection(client().queryKeys([ALICE]), MatrixApiError);
    assert.equal(e.retryAfterMs, 2000);
    assert.match(e.message, /^Homeserver answered 429 Too Many Requests M_LIMIT_EXCEEDED for POST \/_matrix\/client\/v3\/keys\/query: "Too Many Requests" \(retry after 2 s\)$/);
    hs.handle((_req, res) => sendJson(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' }, { 'Retry-After': '3' }));
    assert.equal((await rejection(client().queryKeys([ALICE]), MatrixApiError)).retryAfterMs, 3000);
  });

  it('404 M_NOT_FOUND → null for account data and key backup; other 404s throw', async () => {
    hs.handle((req, res) => sendJson(res, 404, req.path.includes('room_keys')
      ? { errcode: 'M_NOT_FOUND', error: 'No current backup version' }
      : { errcode: 'M_NOT_FOUND', error: 'Account data not found' }));
    assert.equal(await client().getAccountData(ALICE, 'm.cross_signing.master'), null);
    assert.equal(await client().getKeyBackupVersion(), null);
    await rejection(client().whoami(), MatrixApiError); // M_NOT_FOUND elsewhere is an error
    hs.handle((_req, res) => sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }));
    assert.equal((await rejection(client().getAccountData(ALICE, 'x'), MatrixApiError)).errcode, 'M_UNRECOGNIZED');
  });

  it('4xx without errcode (a proxy) → ConnectionError server', async () => {
    hs.handle((_req, res) => { res.writeHead(404, { 'Content-Type': 'text/html' }); res.end('<html>nginx</html>'); });
    const e = await connectionError(client().getAccountData(ALICE, 'x'), 'server');
    assert.equal(e.status, 404);
    assert.match(e.message, /without a Matrix error code/);
  });

  it('502 with an HTML body → ConnectionError server with a human message', async () => {
    hs.handle((_req, res) => { res.writeHead(502, 'Bad Gateway', { 'Content-Type': 'text/html' }); res.end('<html><body>502 Bad Gateway</body></html>'); });
    const e = await connectionError(client().queryKeys([ALICE]), 'server');
    assert.equal(e.status, 502);
    assert.equal(e.message, `Homeserver answered 502 Bad Gateway for ${KEYS_QUERY}`);
  });

  it('500 with a Matrix body → ConnectionError server naming the errcode', async () => {
    hs.handle((_req, res) => sendJson(res, 500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }));
    const e = await connectionError(client().request('POST', v3('keys', 'device_signing', 'upload'), { body: {} }), 'server');
    assert.match(e.message, /500 Internal Server Error .* M_UNKNOWN "Internal server error"$/);
  });

  it('a server echoing the token in its error text never gets it into the message', async () => {
    hs.handle((_req, res) => sendJson(res, 403, { errcode: 'M_FORBIDDEN', error: `token ${TOKEN} is not allowed` }));
    const e = await rejection(client().whoami(), MatrixApiError);
    assert.match(e.message, /token \[redacted\] is not allowed/);
  });
});

describe('createMatrixClient: broken transports', () => {
  it('truncated body (Content-Length larger than what arrives, then reset) → bad-response', async () => {
    hs.handle((_req, res, raw) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"user_id": "@ali');
      setTimeout(() => raw.socket.destroy(), 20);
    });
    const e = await connectionError(client().whoami(), 'bad-response');
    assert.match(e.message, /cut off/);
  });

  it('cut JSON, non-JSON and HTML 200 bodies → bad-response', async () => {
    for (const [body, pattern] of [['{"user_id": "@ali', /not valid JSON/], ['<!doctype html><p>Element</p>', /with HTML/], ['', /empty body/]] as const) {
      hs.handle((_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(body); });
      assert.match((await connectionError(client().whoami(), 'bad-response')).message, pattern);
    }
  });

  it('a 200 that fails parsing → bad-response naming the endpoint and the problem', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { user_id: 42 }));
    const e = await connectionError(client().whoami(), 'bad-response');
    assert.equal(e.message, 'Unexpected answer to GET /_matrix/client/v3/account/whoami: whoami response has no valid user_id');
    hs.handle((_req, res) => sendJson(res, 200, { device_keys: [] }));
    assert.match((await connectionError(client().queryKeys([ALICE]), 'bad-response')).message, /keys\/query device_keys is array/);
  });

  it('a body nested deeper than MAX_JSON_DEPTH (100 000 levels) → bad-response saying so, whatever the status', async () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    hs.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"device_keys":{},"x":${deep}}`);
    });
    const e = await connectionError(client().queryKeys([ALICE]), 'bad-response');
    assert.equal(e.message, `The homeserver's answer to ${KEYS_QUERY} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    hs.handle((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(`{"errcode":"M_UNKNOWN","error":${deep}}`);
    });
    await connectionError(client().queryKeys([ALICE]), 'bad-response');
    // Exactly at the limit still goes through.
    const atLimit = `${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    hs.handle((_req, res) => sendJson(res, 200, JSON.parse(`{"device_keys":{},"x":${atLimit}}`)));
    assert.deepEqual((await client().queryKeys([ALICE])).response.device_keys, {});
  });

  it('a hostile keys/query (a device nested 200 levels deep, __proto__ user) is parsed without crashing', async () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    const dev = `{"user_id":"${ALICE}","device_id":"D","algorithms":[],"keys":{},"signatures":{},"unsigned":{"x":${deep}}}`;
    hs.handle((_req, res) => {
      const text = `{"device_keys":{"__proto__":{"polluted":true},"${ALICE}":{"D":${dev}}}}`;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    });
    const result = await client().queryKeys([ALICE]);
    assert.deepEqual(result.response.device_keys?.[ALICE], {});
    assert.deepEqual(result.skipped.map((s) => s.problem), ['reserved key', 'nested deeper than 16 levels']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('body over maxResponseBytes → too-large, by Content-Length or while streaming', async () => {
    hs.handle((_req, res) => sendJson(res, 200, { user_id: ALICE, pad: 'x'.repeat(4096) }));
    await connectionError(client({ maxResponseBytes: 1024 }).whoami(), 'too-large');
    hs.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked, no length
      res.write('{"pad":"');
      const timer = setInterval(() => { if (!res.write('x'.repeat(512))) clearInterval(timer); }, 1);
      res.on('close', () => clearInterval(timer));
    });
    const e = await connectionError(client({ maxResponseBytes: 1024 }).whoami(), 'too-large');
    assert.match(e.message, /larger than the 1024-byte limit/);
  });

  it('a server that never answers → timeout; one that stalls mid-body → timeout', async () => {
    hs.handle(() => undefined);
    const started = Date.now();
    const e = await connectionError(client({ timeoutMs: 150 }).whoami(), 'timeout');
    assert.ok(Date.now() - started < 1_500);
    assert.match(e.message, /within 150 ms for GET \/_matrix\/client\/v3\/account\/whoami/);
    hs.handle((_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"user_id":'); });
    await connectionError(client({ timeoutMs: 150 }).whoami(), 'timeout');
  });

  it("the caller's AbortSignal → aborted (before or during the request)", async () => {
    hs.handle(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await connectionError(client().getAccountData(ALICE, 'x', { signal: controller.signal }), 'aborted');
    hs.requests.length = 0;
    await connectionError(client().whoami({ signal: AbortSignal.abort() }), 'aborted');
    assert.equal(hs.requests.length, 0);
  });

  it('connection reset (socket.destroy) and connection refused → network', async () => {
    hs.handle((_req, _res, raw) => raw.socket.destroy());
    const e = await connectionError(client().whoami(), 'network');
    assert.match(e.message, /^Could not reach the homeserver for GET \/_matrix\/client\/v3\/account\/whoami: /);
    const dead = await startFakeHomeserver();
    await dead.close();
    await connectionError(createMatrixClient({ baseUrl: dead.url, fetch, accessToken: TOKEN }).whoami(), 'network');
  });

  it('redirects are not followed, so the token cannot travel on', async () => {
    hs.handle((_req, res) => { res.writeHead(307, { Location: '/elsewhere' }); res.end(); });
    await connectionError(client().whoami(), 'network');
    assert.deepEqual(hs.requests.map((r) => r.path), ['/_matrix/client/v3/account/whoami']);
  });

  it('onRequest reports failures too, with a status only when one arrived', async () => {
    const seen: RequestReport[] = [];
    hs.handle((_req, res) => { res.writeHead(502); res.end(); });
    await connectionError(client({ onRequest: (i) => seen.push(i) }).whoami(), 'server');
    hs.handle((_req, _res, raw) => raw.socket.destroy());
    await connectionError(client({ onRequest: (i) => seen.push(i) }).whoami(), 'network');
    assert.deepEqual(seen.map((i) => i.status), [502, undefined]);
  });
});
