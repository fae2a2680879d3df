// The packages people install (dist/chrome, dist/firefox: activeTab + scripting + storage, no host
// permissions), used the way people use them: the toolbar action invoked on an Element tab. The
// homeserver is the real test Synapse, reached with CORS (it answers `Access-Control-Allow-Origin: *`);
// the page is read through the activeTab grant alone. Then the browser withdraws the grant
// (Firefox: any reload; Chromium: a cross-origin navigation and back) and the detached window must
// say access lapsed — not "protected page" — keep the session and the flow, and carry on once the
// action is invoked again (docs/design.md#tab-access).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowOrigin } from './harness/allowed-origins.ts';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount } from './harness/identity.ts';
import { givePassword, openRepair } from './harness/status-ui.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { serveWebApp, webApps, type WebAppPage } from './harness/web-app-pages.ts';

for (const name of BROWSERS) {
  describe(`production package through the toolbar action (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    let app: WebAppPage | undefined;
    before(async () => {
      hs = await testSynapse();
      b = await launchBrowser(name, { build: 'production' });
    });
    after(async () => {
      try {
        await b?.close();
      } finally {
        await app?.close();
      }
    });

    /** The fixture page has (re)written Element's storage. */
    const ready = (page: UiPage, url: string) => waitUntil(`${url} to be ready`, () =>
      page.evaluate((u) => location.href === u && document.title === 'ready', url).catch(() => false), 30_000);

    /** The session the background holds for the tab (read by the action popup), without its token. */
    const tabSession = (tabId: number) => b.evalExtension(async (id) => {
      const stored = ((await browser.storage.session.get('sessions')).sessions ?? []) as { tabId?: number; app: string; userId: string; sessionId: string }[];
      const s = stored.find((x) => x.tabId === id);
      return s ? { app: s.app, userId: s.userId, sessionId: s.sessionId } : undefined;
    }, tabId);

    test('read, verdict and a password repair; a lapsed grant says so, keeps the flow, and the action restores it', async () => {
      const account = await buildAccount(hs, 'healthy', { devices: 1 });
      app = await serveWebApp(webApps.element(account.user, 'encrypted'));
      const tab = await b.openTab(app.url);
      await ready(tab.page, app.url);

      // The person clicks the icon on the Element tab: the popup reads the session through activeTab.
      await b.invokeAction(app.url);
      const read = await waitUntil('the session read by the action popup', () => tabSession(tab.tabId), 30_000);
      assert.deepEqual({ app: read.app, userId: read.userId }, { app: 'Element', userId: account.user.userId });

      // The detached window (the popup's Detach), while the grant holds: verdict, then a repair with the password.
      const ui = await b.openUi(tab.tabId);
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      assert.equal(await ui.text('session-app'), 'Element');
      assert.equal(await ui.count('error'), 0);
      await openRepair(ui, 'reset-cross-signing');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-panel', { attr: ['data-phase', 'preview'], timeoutMs: 30_000 });
      const flowId = await ui.attr('repair-panel', 'data-flow-id');
      await ui.click('repair-run');
      await givePassword(ui, account.user.password);
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 60_000 });

      // The browser withdraws the grant.
      if (name === 'firefox') {
        await tab.page.evaluate(() => location.reload(), null);
      } else {
        const other = app.url.replace('//localhost:', '//127.0.0.1:');
        allowOrigin(new URL(other).origin, 'page');
        await tab.page.evaluate((u) => { location.href = u; }, other);
        await ready(tab.page, other);
        await tab.page.evaluate((u) => { location.href = u; }, app.url);
      }
      await ready(tab.page, app.url);

      // A detached window opened now: the lapse, worded as such, with the session kept.
      const lapsed = await b.openUi(tab.tabId);
      await lapsed.waitFor('app', { attr: ['data-loading', 'false'], timeoutMs: 30_000 });
      await lapsed.waitFor('access-lapsed', { timeoutMs: 30_000 });
      const wording = await lapsed.text('access-lapsed');
      assert.match(wording, /Access to this tab has lapsed/);
      assert.match(wording, /toolbar/);
      assert.doesNotMatch(wording, /protected/);
      assert.equal(await lapsed.count('error'), 0, 'no error banner (unreadable-page or other) for a web app');
      assert.equal(await lapsed.text('session-user-id').then((t) => t.includes(account.user.userId)), true);
      // The window that ran the repair learns it too, and keeps its flow.
      await ui.waitFor('access-lapsed', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-panel', 'data-flow-id'), flowId);
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success');
      assert.equal((await tabSession(tab.tabId))?.sessionId, read.sessionId, 'the session is kept while access is lapsed');

      // The person clicks the icon on the tab again: access is back, and the windows carry on.
      await b.invokeAction(app.url);
      await waitUntil('the lapse to clear in the detached windows', async () =>
        (await lapsed.count('access-lapsed')) === 0 && (await ui.count('access-lapsed')) === 0, 30_000);
      assert.equal(await ui.attr('repair-panel', 'data-flow-id'), flowId);
      const again = await b.openUi(tab.tabId);
      await again.waitFor('status-verdict', { timeoutMs: 30_000 });
      assert.equal(await again.count('error'), 0);
      assert.equal(await again.count('access-lapsed'), 0);
      assert.equal((await tabSession(tab.tabId))?.sessionId, read.sessionId);
      for (const p of [again, lapsed, ui]) await p.close();
    });
  });
}
