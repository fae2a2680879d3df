// A rotating (OIDC) session whose tab grant lapsed: its re-read waits for the grant to come back
// (the person clicks the toolbar icon on the tab) instead of failing or using the stale token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendJson, startFakeHomeserver, type FakeHomeserver } from '../core/matrix/fake-homeserver.test.ts';
import { healthyView, serveView, USER } from '../core/inspect/fixture.test.ts';
import type { StoredSession } from '../ext/storage.ts';
import type { Parsed } from '../readers/parse/candidate.ts';
import { MESSAGES, SessionReadError } from '../readers/parse/read-errors.ts';
import { createSessionService } from './session-service.ts';
import { readStatus } from './status.ts';
import { createTabAccess } from './tab-access.ts';

let hs: FakeHomeserver;
/** Tokens the fake homeserver was sent, in order. */
const sent: string[] = [];
const valid = { token: 'mat_new' };
before(async () => {
  hs = await startFakeHomeserver();
  const serve = serveView(await healthyView());
  hs.handle((req, res) => {
    sent.push(String(req.headers.authorization));
    if (req.headers.authorization !== `Bearer ${valid.token}`) {
      sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false });
      return;
    }
    serve(req, res);
  });
});
after(() => hs.close());

/** Resolves once `probe` holds: checked after each turn of the event loop, no clock involved. */
async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((r) => setImmediate(r));
}

function setup() {
  const stored: StoredSession = { sessionId: 'S1', homeserver: hs.url, userId: USER, deviceId: 'DEVICEONE', app: 'Element', accessToken: 'mat_old', rotates: true, tabId: 4 };
  const store = new Map([[stored.sessionId, stored]]);
  const access = createTabAccess();
  // The tab: the grant is gone until `grant()`; the web app has rotated its token meanwhile.
  const tab = { granted: false, token: 'mat_new', reads: 0 };
  const service = createSessionService({
    getSession: async (id) => store.get(id),
    updateSession: async (id, patch) => {
      const next = { ...store.get(id)!, ...patch };
      store.set(id, next);
      return next;
    },
    readTab: async (): Promise<Parsed> => {
      tab.reads++;
      if (!tab.granted) {
        access.lapsed(4);
        throw new SessionReadError('access-lapsed', MESSAGES.accessLapsed);
      }
      access.restored(4);
      return {
        candidates: [{ app: 'Element', homeserver: hs.url, userId: USER, deviceId: 'DEVICEONE', accessToken: tab.token, active: true, source: 'idb-encrypted', rotates: true, softLogout: false }],
        problems: [],
      };
    },
    waitForAccess: (tabId) => access.whenRestored(tabId),
    check: async (c) => ({ ok: true, session: { ...stored, accessToken: c.accessToken } }),
  });
  return { service, tab, store, access };
}

describe('session service: a lapsed tab grant', () => {
  it('a status read waits for the grant, sends nothing with the stale token, and carries on once the tab is read again', async () => {
    sent.length = 0;
    const { service, tab, store, access } = setup();
    let finished = false;
    const report = (async () => readStatus(store.get('S1')!, await service.clientFor('S1'), {}))().finally(() => { finished = true; });
    await until(() => tab.reads === 1 && access.isLapsed(4));
    // Several turns later: still waiting, and the homeserver saw no request at all.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(finished, false);
    assert.deepEqual(sent, []);
    // The person clicks the toolbar icon on the tab: the popup's own read succeeds (read-tab.ts).
    tab.granted = true;
    access.restored(4);
    const view = await report;
    assert.ok(view.report, 'the status read completed');
    assert.ok(sent.length > 0 && sent.every((a) => a === 'Bearer mat_new'), `only the rotated token was sent: ${sent.join(', ')}`);
    assert.equal(store.get('S1')!.accessToken, 'mat_new');
    assert.equal(access.isLapsed(4), false);
  });

  it('a forced re-read after M_UNKNOWN_TOKEN waits too, instead of failing with a protected-page error', async () => {
    const { service, tab, access } = setup();
    let outcome: string | undefined;
    const forced = service.token('S1', { force: true }).then((t) => { outcome = t; }, (e: Error) => { outcome = `threw ${e.message}`; });
    await until(() => access.isLapsed(4));
    await new Promise((r) => setImmediate(r));
    assert.equal(outcome, undefined);
    tab.granted = true;
    access.restored(4);
    await forced;
    assert.equal(outcome, 'mat_new');
  });

  it('a tab closed while waiting fails the re-read with no-tab', async () => {
    const { service, access } = setup();
    const forced = service.token('S1', { force: true });
    await until(() => access.isLapsed(4));
    access.gone(4);
    await assert.rejects(forced, (e: Error & { code?: string }) => e.code === 'no-tab');
  });
});
