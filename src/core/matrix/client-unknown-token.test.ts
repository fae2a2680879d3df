// The client's onUnknownToken hook: after a 401 M_UNKNOWN_TOKEN (client-server API §Standard
// error response, §Soft logout) the request is sent once more with the hook's token, never twice.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMatrixClient } from './client.ts';
import { MatrixApiError, UiaRequiredError } from './errors.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from './fake-homeserver.test.ts';
import { v3 } from './url.ts';

const OLD = 'syt_old_token_rotated_away';
const NEW = 'syt_new_token_from_the_tab';
const ALICE = '@alice:example.org';

let hs: FakeHomeserver;
before(async () => { hs = await startFakeHomeserver(); });
after(() => hs.close());
beforeEach(() => { hs.requests.length = 0; });

/** Synapse-shaped: the valid token gets whoami / an empty object, any other M_UNKNOWN_TOKEN. */
function acceptOnly(valid: string, softLogout = false) {
  hs.handle((req, res) => {
    if (req.headers.authorization !== `Bearer ${valid}`) {
      sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', ...(softLogout ? { soft_logout: true } : {}) });
    } else if (req.path.endsWith('/whoami')) sendJson(res, 200, { user_id: ALICE, device_id: 'DEV' });
    else sendJson(res, 200, {});
  });
}

/** A hook that records what it was asked and answers `answer`. */
function hook(answer: () => Promise<string | undefined>) {
  const asked: string[] = [];
  return { asked, onUnknownToken: async (rejected: string) => (asked.push(rejected), answer()) };
}

const client = (onUnknownToken?: (rejected: string) => Promise<string | undefined>, accessToken: string | (() => string) = OLD) =>
  createMatrixClient({ baseUrl: hs.url, fetch, accessToken, ...(onUnknownToken ? { onUnknownToken } : {}) });

const auths = () => hs.requests.map((r) => r.headers.authorization);

describe('createMatrixClient: onUnknownToken', () => {
  it('asks the hook once with the rejected token and sends the request once more with the new one', async () => {
    acceptOnly(NEW);
    const h = hook(async () => NEW);
    assert.deepEqual(await client(h.onUnknownToken).whoami(), { user_id: ALICE, device_id: 'DEV' });
    assert.deepEqual(h.asked, [OLD]);
    assert.deepEqual(auths(), [`Bearer ${OLD}`, `Bearer ${NEW}`]);
    assert.equal(hs.requests[1]!.path, hs.requests[0]!.path);
  });

  it('soft_logout: true is the same 401 M_UNKNOWN_TOKEN: the hook is asked', async () => {
    acceptOnly(NEW, true);
    const h = hook(async () => NEW);
    await client(h.onUnknownToken).whoami();
    assert.equal(h.asked.length, 1);
  });

  it('never loops: a retry answered M_UNKNOWN_TOKEN again fails with that answer, the hook asked once', async () => {
    acceptOnly('nobody-has-this');
    const h = hook(async () => NEW);
    const e = await client(h.onUnknownToken).whoami().then(() => assert.fail('resolved'), (x: unknown) => x);
    assert.ok(e instanceof MatrixApiError && e.errcode === 'M_UNKNOWN_TOKEN');
    assert.ok(!e.message.includes(NEW) && !e.message.includes(OLD), 'no token in the message');
    assert.deepEqual(h.asked, [OLD]);
    assert.equal(hs.requests.length, 2);
  });

  it('a server echoing both tokens in its answers: neither reaches the error message', async () => {
    hs.handle((req, res) => sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: `unknown ${req.headers.authorization} (was ${OLD})` }));
    const e = await client(hook(async () => NEW).onUnknownToken).whoami().then(() => assert.fail('resolved'), (x: unknown) => x);
    assert.ok(e instanceof MatrixApiError);
    assert.ok(!e.message.includes(NEW) && !e.message.includes(OLD), e.message);
    assert.ok(!String(e.stack).includes(NEW) && !String(e.stack).includes(OLD));
  });

  it('no new token (undefined, the same one, a rejection, a malformed one): the original 401, nothing resent', async () => {
    acceptOnly(NEW);
    for (const answer of [async () => undefined, async () => OLD, async () => { throw new Error('tab closed'); }, async () => 'bad token\r\nX: 1']) {
      hs.requests.length = 0;
      const e = await client(hook(answer).onUnknownToken).whoami().then(() => assert.fail('resolved'), (x: unknown) => x);
      assert.ok(e instanceof MatrixApiError && e.errcode === 'M_UNKNOWN_TOKEN' && e.status === 401, String(e));
      assert.equal(hs.requests.length, 1);
    }
  });

  it('other refusals (403 M_FORBIDDEN, a UIA 401, 401 M_MISSING_TOKEN) never ask the hook', async () => {
    const h = hook(async () => NEW);
    const c = client(h.onUnknownToken);
    hs.handle((_req, res) => sendJson(res, 403, { errcode: 'M_FORBIDDEN', error: 'no' }));
    await assert.rejects(c.whoami(), MatrixApiError);
    hs.handle((_req, res) => sendJson(res, 401, { session: 's', flows: [{ stages: ['m.login.password'] }], params: {} }));
    await assert.rejects(c.request('POST', v3('keys', 'device_signing', 'upload'), { body: {} }), UiaRequiredError);
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' }));
    await assert.rejects(c.whoami(), MatrixApiError);
    assert.equal(h.asked.length, 0);
    assert.equal(hs.requests.length, 3);
  });

  it('a request sent without the token is never retried', async () => {
    acceptOnly(NEW);
    const h = hook(async () => NEW);
    await assert.rejects(client(h.onUnknownToken).request('GET', ['_matrix', 'client', 'v3', 'x'], { auth: false }), MatrixApiError);
    assert.equal(h.asked.length, 0);
    assert.equal(hs.requests.length, 1);
  });

  it('a write with UIA auth is sent again with the same body (the rejected one was not applied)', async () => {
    acceptOnly(NEW);
    const h = hook(async () => NEW);
    const body = { master_key: { user_id: ALICE, usage: ['master'], keys: { 'ed25519:K': 'K' } }, auth: { type: 'm.login.password', session: 's1' } };
    await client(h.onUnknownToken).request('POST', v3('keys', 'device_signing', 'upload'), { body });
    assert.equal(hs.requests.length, 2);
    assert.equal(hs.requests[0]!.method, 'POST');
    assert.equal(hs.requests[1]!.body, hs.requests[0]!.body);
    assert.deepEqual(auths(), [`Bearer ${OLD}`, `Bearer ${NEW}`]);
  });

  it('without a hook a 401 M_UNKNOWN_TOKEN is thrown as before', async () => {
    acceptOnly(NEW);
    await assert.rejects(client().whoami(), (e: unknown) => e instanceof MatrixApiError && e.errcode === 'M_UNKNOWN_TOKEN');
    assert.equal(hs.requests.length, 1);
  });

  it('concurrent rejections each retry once (the hook decides whether to re-read)', async () => {
    acceptOnly(NEW);
    const h = hook(async () => NEW);
    const c = client(h.onUnknownToken);
    await Promise.all([c.whoami(), c.whoami(), c.whoami()]);
    assert.equal(h.asked.length, 3);
    assert.equal(hs.requests.length, 6);
  });

  it('onUnknownToken must be a function', () => {
    assert.throws(() => createMatrixClient({ baseUrl: hs.url, fetch, onUnknownToken: 'x' as never }), TypeError);
  });
});
