// The session service's freshness policy, measured: a counting fake tab reader and a fake
// homeserver that accepts only the token the tab holds now, through the real status read.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MatrixApiError } from '../core/matrix/errors.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from '../core/matrix/fake-homeserver.test.ts';
import { healthyView, serveView, USER, type ServerView } from '../core/inspect/fixture.test.ts';
import type { StoredSession } from '../ext/storage.ts';
import type { Parsed } from '../readers/parse/candidate.ts';
import { SessionReadError } from '../readers/parse/read-errors.ts';
import { createSessionService } from './session-service.ts';
import { readStatus } from './status.ts';

let hs: FakeHomeserver;
let view: ServerView;
before(async () => {
  hs = await startFakeHomeserver();
  view = await healthyView();
});
after(() => hs.close());

/** The homeserver accepts only `valid.token` (Synapse's 401 M_UNKNOWN_TOKEN otherwise). */
const valid = { token: '' };
const refused: string[] = [];
beforeEach(() => {
  hs.requests.length = 0;
  refused.length = 0;
  const serve = serveView(view);
  hs.handle((req, res) => {
    if (req.headers.authorization !== `Bearer ${valid.token}`) {
      refused.push(req.path);
      sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false });
      return;
    }
    serve(req, res);
  });
});

/** A tab whose web app holds `tab.token`; `reads` counts the injections. */
function setup(session: Omit<StoredSession, 'homeserver' | 'userId' | 'deviceId' | 'app' | 'sessionId'>, opts: { tabFails?: boolean } = {}) {
  const stored: StoredSession = { sessionId: 'S1', homeserver: hs.url, userId: USER, deviceId: 'DEVICEONE', app: 'Element', ...session };
  const store = new Map([[stored.sessionId, stored]]);
  const tab = { token: stored.accessToken, reads: 0 };
  const service = createSessionService({
    getSession: async (id) => store.get(id),
    updateSession: async (id, patch) => {
      const s = store.get(id);
      if (!s) return undefined;
      const next = { ...s, ...patch };
      store.set(id, next);
      return next;
    },
    readTab: async (): Promise<Parsed> => {
      tab.reads++;
      if (opts.tabFails === true) throw new SessionReadError('no-tab', 'The tab is gone.');
      return {
        candidates: [{ app: 'Element', homeserver: hs.url, userId: USER, deviceId: 'DEVICEONE', accessToken: tab.token, active: true, source: 'idb-encrypted', rotates: stored.rotates === true, softLogout: false }],
        problems: [],
      };
    },
    check: async (c) => ({ ok: true, session: { ...stored, accessToken: c.accessToken } }),
    fetch: (input, init) => fetch(input, init),
  });
  const statusRead = async () => readStatus(store.get('S1')!, await service.clientFor('S1'), {});
  return { service, tab, store, statusRead };
}

describe('session service: one tab re-read at most per status read', () => {
  it('a rotating (OIDC) session: exactly one injection per status read, and the rotated token is used', async () => {
    valid.token = 'mat_one';
    const { tab, store, statusRead } = setup({ accessToken: 'mat_one', tabId: 7, rotates: true });
    for (const next of ['mat_two', 'mat_three', 'mat_three']) {
      // The web app rotated its token, and the homeserver revoked the previous one.
      tab.token = next;
      valid.token = next;
      const before = tab.reads;
      const status = await statusRead();
      assert.ok(status.report, 'a report');
      assert.equal(tab.reads - before, 1, 'one tab read for this status read');
      assert.deepEqual(refused, [], 'no request went out with a revoked token');
      assert.equal(store.get('S1')!.accessToken, next);
    }
    assert.ok(hs.requests.length >= 3 * 4, 'each status read made several requests');
  });

  it('a static token from a tab, and a token entered by hand: no injection at all', async () => {
    valid.token = 'syt_static';
    for (const session of [{ accessToken: 'syt_static', tabId: 7, rotates: false }, { accessToken: 'syt_static' }]) {
      const { tab, statusRead } = setup(session);
      await statusRead();
      await statusRead();
      assert.equal(tab.reads, 0);
    }
  });

  it('M_UNKNOWN_TOKEN: one forced re-read shared by every refused request, each resent once', async () => {
    valid.token = 'syt_new';
    const { tab, store, statusRead } = setup({ accessToken: 'syt_old', tabId: 7, rotates: false });
    tab.token = 'syt_new';
    const status = await statusRead();
    assert.ok(status.report);
    assert.equal(tab.reads, 1);
    assert.ok(refused.length >= 1, 'the first requests were refused');
    assert.equal(hs.requests.length - refused.length, new Set(hs.requests.map((r) => `${r.method} ${r.path}`)).size, 'every request answered once');
    assert.equal(store.get('S1')!.accessToken, 'syt_new');
  });

  it('M_UNKNOWN_TOKEN and the tab holds the same dead token: the homeserver\u2019s error, no loop', async () => {
    valid.token = 'nobody-has-this';
    const { tab, statusRead } = setup({ accessToken: 'syt_dead', tabId: 7, rotates: true });
    await assert.rejects(statusRead(), (e: unknown) => e instanceof MatrixApiError && e.errcode === 'M_UNKNOWN_TOKEN');
    // One read before use, one forced after the refusals; nothing resent with the same token.
    assert.equal(tab.reads, 2);
    assert.equal(hs.requests.length, refused.length);
  });

  it('a closed tab: a rotating session uses its stored token; a forced read says why', async () => {
    valid.token = 'mat_stored';
    const { service, tab, statusRead } = setup({ accessToken: 'mat_stored', tabId: 7, rotates: true }, { tabFails: true });
    await statusRead();
    assert.equal(tab.reads, 1);
    await assert.rejects(service.token('S1', { force: true }), (e: unknown) => e instanceof SessionReadError && e.code === 'no-tab');
  });

  it('a session entered by hand cannot be re-read; an unknown session is refused', async () => {
    const { service } = setup({ accessToken: 'syt_manual' });
    assert.equal(await service.token('S1'), 'syt_manual');
    await assert.rejects(service.token('S1', { force: true }), (e: unknown) => e instanceof SessionReadError && e.code === 'read-failed');
    await assert.rejects(service.clientFor('nope'), (e: unknown) => e instanceof Error && e.name === 'UnknownSessionError');
  });

  it('concurrent forced reads of one session share one injection', async () => {
    const { service, tab } = setup({ accessToken: 'syt_a', tabId: 7, rotates: false });
    tab.token = 'syt_b';
    assert.deepEqual(await Promise.all([service.token('S1', { force: true }), service.token('S1', { force: true })]), ['syt_b', 'syt_b']);
    assert.equal(tab.reads, 1);
  });
});
