// The popup reads the web app session of the tab it was opened for, in both browsers, against the
// real Synapse: every supported storage format (fixture pages on http://localhost:<port> write it
// as the app does), the picker for several sessions, and each error with its own data-code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { loginDevice, registerUser } from './harness/users.ts';
import { serveWebApp, webApps, type PageSpec, type WebAppPage } from './harness/web-app-pages.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const name of BROWSERS) {
  describe(`session reading (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    const served: WebAppPage[] = [];

    before(async () => {
      hs = await testSynapse();
      b = await launchBrowser(name);
    });
    after(async () => {
      await b?.close();
      await Promise.all(served.map((p) => p.close()));
    });

    /** Serve the fixture, open it in a tab and wait until its storage is written. */
    async function openApp(spec: PageSpec, hash?: string): Promise<{ tabId: number; page: UiPage }> {
      const app = await serveWebApp(spec, hash === undefined ? {} : { hash });
      served.push(app);
      const tab = await b.openTab(app.url);
      const title = await waitUntil('the fixture page', async () => {
        const t = await tab.page.evaluate(() => document.title, null);
        return t !== 'loading' && t;
      });
      assert.equal(title, 'ready', `fixture page: ${title}`);
      return tab;
    }

    async function popupFor(tabId?: number): Promise<UiPage> {
      const ui = await b.openUi(tabId);
      try {
        await ui.waitFor('app', { attr: ['data-loading', 'false'], timeoutMs: 30_000 });
      } catch (e) {
        throw new Error(`the popup did not finish reading tab ${tabId}: ${String(e).slice(0, 200)}\n${(await ui.html()).slice(0, 2000)}`);
      }
      return ui;
    }

    async function assertCard(ui: UiPage, s: { userId: string; deviceId: string; baseUrl: string; accessToken: string }, app: string) {
      await ui.waitFor('session-user-id');
      assert.match(await ui.text('session-user-id'), new RegExp(`^${escape(s.userId)}`));
      assert.match(await ui.text('session-device-id'), new RegExp(`^${escape(s.deviceId)}`));
      assert.equal(await ui.text('session-homeserver'), s.baseUrl);
      assert.equal(await ui.text('session-app'), app);
      assert.ok(!(await ui.html()).includes(s.accessToken), 'the token must never be in the popup DOM');
    }

    async function assertError(ui: UiPage, code: string, message: RegExp) {
      await ui.waitFor('error', { attr: ['data-code', code] });
      assert.match(await ui.text('error'), message);
      // The manual form stays available as the fallback.
      await ui.waitFor('manual-form');
    }

    /** The page's own storage after the read: no database created, nothing written. */
    const pageStorage = (page: UiPage) =>
      page.evaluate(async () => ({
        dbs: (await indexedDB.databases()).map((d) => d.name).sort(),
        keys: Object.keys(localStorage).sort(),
      }), null);

    test('Element, token encrypted under the page\u2019s non-extractable pickle key', async () => {
      const u = await registerUser(hs);
      const { tabId, page } = await openApp(webApps.element(u, 'encrypted'));
      const before = await pageStorage(page);
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Element');
      assert.deepEqual(await pageStorage(page), before, 'the reader must not change the page\u2019s storage');
      // Custody: storage.session only.
      const stores = await b.evalExtension(async () => ({
        local: JSON.stringify(await browser.storage.local.get(null)),
        session: JSON.stringify(await browser.storage.session.get(null)),
      }), null);
      assert.ok(!stores.local.includes(u.accessToken), 'token in storage.local');
      assert.ok(stores.session.includes(u.accessToken), 'token not in storage.session');
      await ui.close();
    });

    test('Element, plain token string in IndexedDB', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.element(u, 'plain'));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Element');
      await ui.close();
    });

    test('Element, legacy token in localStorage and no mx_device_id (device from whoami)', async () => {
      const u = await registerUser(hs);
      const { tabId, page } = await openApp(webApps.element(u, 'legacy', { withDeviceId: false }));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Element');
      assert.deepEqual((await pageStorage(page)).dbs, [], 'no matrix-react-sdk database may be created');
      await ui.close();
    });

    test('Element OIDC: the live client (MAIN world) wins over a stale stored token', async () => {
      const u = await registerUser(hs);
      const stale = { ...u, accessToken: 'mat_stale_token_revoked_by_refresh' };
      const { tabId } = await openApp(webApps.element(stale, 'encrypted', { localStorage: { mx_oidc_token_issuer: 'https://auth.example.org/' }, liveClient: u }));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Element');
      await ui.close();
    });

    /** An Element OIDC session read into the popup, then the app's token rotated in the page. */
    async function rotatedOidcSession() {
      const u = await registerUser(hs);
      const { tabId, page } = await openApp(webApps.element(u, 'encrypted', { localStorage: { mx_oidc_token_issuer: 'https://auth.example.org/' } }));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Element');
      const read = await ui.evaluate((id) => browser.runtime.sendMessage({ type: 'readTab', req: { tabId: id } }), tabId) as { ok: true; value: { sessions: { sessionId: string }[] } };
      const sessionId = read.value.sessions[0]!.sessionId;
      const rotated = await loginDevice(hs, u, { deviceId: u.deviceId });
      assert.notEqual(rotated.accessToken, u.accessToken);
      assert.equal(await page.evaluate((t) => (window as unknown as { __fixture: { rotateElementToken(t: string): Promise<boolean> } }).__fixture.rotateElementToken(t), rotated.accessToken), true);
      return { u, ui, sessionId, rotated };
    }

    test('Element OIDC without a live client: refreshSessionToken re-reads the rotated token from the tab', async () => {
      const { u, ui, sessionId, rotated } = await rotatedOidcSession();
      const refreshed = await ui.evaluate((sid) => browser.runtime.sendMessage({ type: 'refreshSessionToken', req: { sessionId: sid } }), sessionId) as { ok: boolean; value: { userId: string; deviceId: string } };
      assert.equal(refreshed.ok, true, JSON.stringify(refreshed));
      assert.equal(refreshed.value.deviceId, u.deviceId);
      const copied = await ui.evaluate((sid) => browser.runtime.sendMessage({ type: 'copyToken', req: { sessionId: sid } }), sessionId) as { ok: true; value: { accessToken: string } };
      assert.equal(copied.value.accessToken, rotated.accessToken);
      await ui.close();
    });

    test('Element OIDC: a status read after the app rotated its token takes the new token from the tab', async () => {
      const { ui, sessionId, rotated } = await rotatedOidcSession();
      // No refreshSessionToken: the session service re-reads a rotating token before a status read.
      const status = await ui.evaluate((sid) => browser.runtime.sendMessage({ type: 'readStatus', req: { sessionId: sid } }), sessionId) as { ok: boolean; value?: { report: unknown }; json?: string };
      assert.equal(status.ok, true, JSON.stringify(status).slice(0, 500));
      // Firefox gets this reply as one JSON string (docs/design.md#reply-as-json).
      assert.ok((status.json !== undefined ? JSON.parse(status.json) as { report: unknown } : status.value)?.report);
      const copied = await ui.evaluate((sid) => browser.runtime.sendMessage({ type: 'copyToken', req: { sessionId: sid } }), sessionId) as { ok: true; value: { accessToken: string } };
      assert.equal(copied.value.accessToken, rotated.accessToken);
      await ui.close();
    });

    test('Cinny', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.cinny(u));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Cinny');
      await ui.close();
    });

    test('Sable-style matrixSessions: picker, the active session preselected', async () => {
      const a = await registerUser(hs);
      const c = await registerUser(hs);
      const { tabId } = await openApp(webApps.sable([a, c], c.userId));
      const ui = await popupFor(tabId);
      await ui.waitFor('session-choice');
      assert.equal(await ui.count('session-choice'), 2);
      await assertCard(ui, c, 'Sable');
      await ui.close();
    });

    test('Hydrogen with two sessions: the URL hash picks one, the picker the other', async () => {
      const a = await registerUser(hs);
      const c = await registerUser(hs);
      const spec = webApps.hydrogen([
        { ...a, id: '1001', lastUsed: 2_000 },
        { ...c, id: '1002', lastUsed: 1_000, oldField: true },
      ]);
      const { tabId } = await openApp(spec, '#/session/1002/rooms');
      const ui = await popupFor(tabId);
      await ui.waitFor('session-choice');
      assert.equal(await ui.count('session-choice'), 2);
      await assertCard(ui, c, 'Hydrogen');
      await ui.waitFor('session-choice', { attr: ['data-user-id', a.userId] });
      await ui.evaluate((id) => (document.querySelector(`[data-testid="session-choice"][data-user-id="${id}"]`) as HTMLButtonElement).click(), a.userId);
      await waitUntil('the other session', async () => (await ui.text('session-user-id')).startsWith(a.userId));
      await assertCard(ui, a, 'Hydrogen');
      await ui.close();
    });

    test('FluffyChat: client list in SharedPreferences, token in the client\u2019s IndexedDB', async () => {
      const u = await registerUser(hs);
      const { tabId, page } = await openApp(webApps.flutter('FluffyChat', [{ ...u, name: 'FluffyChat web' }]));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'FluffyChat');
      assert.deepEqual((await pageStorage(page)).dbs, ['FluffyChat web']);
      await ui.close();
    });

    test('Commet: registered clients, token in box_client', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.flutter('Commet', [{ ...u, name: 'x7Kq2Lm9Pz4Rt8Vw1Yb3' }]));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Commet');
      await ui.close();
    });

    test('a page without Matrix storage: "No Matrix session found", and no database created there', async () => {
      const { tabId, page } = await openApp(webApps.empty());
      const ui = await popupFor(tabId);
      await assertError(ui, 'not-matrix', /No Matrix session found in this tab/);
      assert.deepEqual(await pageStorage(page), { dbs: [], keys: [] });
      await ui.close();
    });

    test('an invalid token: invalid-token', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.cinny({ ...u, accessToken: 'syt_bm90IGEgdG9rZW4_invalidinvalid_0abc12' }));
      const ui = await popupFor(tabId);
      await assertError(ui, 'invalid-token', /not valid.*M_UNKNOWN_TOKEN/);
      await ui.close();
    });

    test('a soft-logged-out Element session: soft-logout', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.element(u, 'encrypted', { localStorage: { mx_soft_logout: 'true' } }));
      const ui = await popupFor(tabId);
      await assertError(ui, 'soft-logout', /soft-logged-out/);
      await ui.close();
    });

    test('storage naming another device than the token: the card warns of the mismatch', async () => {
      const u = await registerUser(hs);
      const { tabId } = await openApp(webApps.cinny({ ...u, deviceId: 'NOTTHISDEVICE' }));
      const ui = await popupFor(tabId);
      await assertCard(ui, u, 'Cinny');
      await ui.waitFor('session-mismatch');
      assert.match(await ui.text('session-mismatch'), /NOTTHISDEVICE/);
      await ui.close();
    });

    test('pages extensions cannot read: unreadable-page', async () => {
      // A browser page, and the extension's own page (the popup opened without a tab id).
      const url = name === 'chromium' ? 'chrome://version/' : 'about:blank';
      const tabId = await b.evalExtension(async (u) => (await browser.tabs.create({ url: u, active: false })).id!, url);
      const ui = await popupFor(tabId);
      await assertError(ui, 'unreadable-page', /can\u2019t be read by extensions/);
      await ui.close();
      const own = await popupFor();
      await assertError(own, 'unreadable-page', /can\u2019t be read by extensions/);
      await own.close();
    });
  });
}
