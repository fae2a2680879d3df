// The homeserver is proven to be the account's, in both browsers, against the real Synapse.
//
// A web page chooses the base URL its session's token (and, during a repair, the password) goes
// to. Here a fixture page stores a real user of the test Synapse with the base URL of a SECOND
// local server: a relay (e2e/harness/fault-proxy.ts, no faults) that forwards everything to the
// real Synapse — so the session looks perfectly healthy, as a phishing server would make it — and
// records every request. The test Synapse's user IDs name `localhost:<port>`, whose own
// well-known (served by Synapse, client-server API §Server Discovery) names the real base URL.
// The popup must say loudly that the relay is not the account's homeserver, naming both hosts;
// the background must refuse every write and the password (even a crafted message) until the
// person confirms that host; afterwards the write path opens, and the password prompt names the
// host it goes to.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { startFaultProxy, type FaultProxy } from './harness/fault-proxy.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import { publishedMaster } from './harness/server-keys.ts';
import { openRepair } from './harness/status-ui.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { callJson } from './harness/users.ts';
import { serveWebApp, webApps, type PageSpec, type WebAppPage } from './harness/web-app-pages.ts';

type Reply = { ok: boolean; value?: unknown; error?: { name: string; message: string; code?: string } };

const UPLOAD = '/_matrix/client/v3/keys/device_signing/upload';
const WRITES = new Set([UPLOAD, '/_matrix/client/v3/keys/signatures/upload']);

for (const name of BROWSERS) {
  describe(`homeserver proven to be the account's (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    let relay: FaultProxy;
    const served: WebAppPage[] = [];

    before(async () => {
      hs = await testSynapse();
      b = await launchBrowser(name);
      relay = await startFaultProxy(hs.baseUrl);
    });
    after(async () => {
      try {
        await b?.close();
      } finally {
        await relay?.close();
        await Promise.all(served.map((p) => p.close()));
      }
    });

    async function popupOnPage(spec: PageSpec): Promise<UiPage> {
      const app = await serveWebApp(spec);
      served.push(app);
      const tab = await b.openTab(app.url);
      const title = await waitUntil('the fixture page', async () => {
        const t = await tab.page.evaluate(() => document.title, null);
        return t !== 'loading' && t;
      });
      assert.equal(title, 'ready', `fixture page: ${title}`);
      const ui = await b.openUi(tab.tabId);
      await ui.waitFor('app', { attr: ['data-loading', 'false'], timeoutMs: 30_000 });
      return ui;
    }

    const send = (ui: UiPage, message: unknown): Promise<Reply> =>
      ui.evaluate(async (m) => (await browser.runtime.sendMessage(m)) as Reply, message);

    async function previewReset(ui: UiPage, account: FixtureAccount): Promise<string> {
      await openRepair(ui, 'reset-cross-signing');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-panel', { attr: ['data-phase', 'preview'], timeoutMs: 30_000 });
      const flowId = await ui.attr('repair-panel', 'data-flow-id');
      assert.ok(flowId);
      return flowId;
    }

    const runDisabled = (ui: UiPage) =>
      ui.evaluate(() => (document.querySelector('[data-testid="repair-run"]') as HTMLButtonElement).disabled, null);

    test('the web app at its own homeserver: proven through the server name\u2019s well-known, writes allowed', async () => {
      const account = await buildAccount(hs, 'healthy', { devices: 1 });
      const ui = await popupOnPage(webApps.cinny(account.user));
      await ui.waitFor('homeserver-verdict', { attr: ['data-verdict', 'proven'] });
      assert.equal(await ui.count('homeserver-warning'), 0);
      assert.equal(await ui.count('confirm-homeserver'), 0);
      const text = await ui.text('homeserver-verdict');
      assert.ok(text.includes(hs.serverName) && text.includes(new URL(hs.baseUrl).host), text);
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      await previewReset(ui, account);
      assert.equal(await runDisabled(ui), false);
      assert.equal(await ui.count('repair-blocked'), 0);
      await ui.click('repair-cancel');
      await ui.close();
    });

    test('a page planting a session at a second server: warning naming both hosts, no write and no password until confirmed', async () => {
      const account = await buildAccount(hs, 'healthy', { devices: 1 });
      const original = await publishedMaster(account.user);
      const relayHost = new URL(relay.url).host;
      const ui = await popupOnPage(webApps.cinny({ ...account.user, baseUrl: relay.url }));

      // Loud, naming both hosts.
      await ui.waitFor('homeserver-warning', { attr: ['data-verdict', 'mismatch'] });
      assert.equal(await ui.attr('homeserver-warning', 'data-server-name-host'), hs.serverName);
      assert.equal(await ui.attr('homeserver-warning', 'data-base-url-host'), relayHost);
      const warning = await ui.text('homeserver-warning');
      assert.ok(warning.includes(hs.serverName) && warning.includes(relayHost), warning);
      assert.equal(await ui.attr('homeserver-warning', 'role'), 'alert');
      assert.equal(await ui.count('homeserver-verdict'), 0);
      // Reading is allowed (the page already gave that server the token): the report shows.
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });

      // The popup offers no way to run.
      const flowId = await previewReset(ui, account);
      assert.equal(await runDisabled(ui), true);
      await ui.waitFor('repair-blocked');
      assert.ok((await ui.text('repair-blocked')).includes(relayHost));

      // The background refuses even a crafted message: no write, no password.
      for (const message of [
        { type: 'repairStart', req: { flowId } },
        { type: 'repairPassword', req: { flowId, password: account.user.password } },
        { type: 'repairFallbackDone', req: { flowId } },
      ]) {
        const reply = await send(ui, message);
        assert.equal(reply.ok, false, `${message.type} must be refused`);
        assert.equal(reply.error?.name, 'HomeserverUnconfirmedError', `${message.type}: ${JSON.stringify(reply.error)}`);
        assert.equal(reply.error?.code, 'homeserver-unconfirmed');
        assert.ok(reply.error!.message.includes(relayHost) && reply.error!.message.includes(hs.serverName), reply.error!.message);
      }
      assert.equal(await ui.attr('repair-panel', 'data-phase'), 'preview', 'the flow did not start');

      // A confirmation must name the host shown: another host confirms nothing.
      const sessionId = await b.evalExtension(async (url) => {
        const stored = (await browser.storage.session.get('sessions')).sessions as { sessionId: string; homeserver: string }[];
        return stored.find((s) => s.homeserver === url)?.sessionId;
      }, relay.url);
      assert.ok(sessionId);
      const wrongHost = await send(ui, { type: 'confirmHomeserver', req: { sessionId, host: hs.serverName } });
      assert.equal(wrongHost.ok, false);
      assert.equal(wrongHost.error?.code, 'homeserver-host-changed');
      assert.equal((await send(ui, { type: 'repairStart', req: { flowId } })).error?.code, 'homeserver-unconfirmed');

      // Nothing written through the relay, and the password never reached it.
      assert.deepEqual(relay.log.filter((e) => e.method === 'POST' && WRITES.has(e.path)).map((e) => e.path), []);
      assert.ok(!relay.log.some((e) => e.body.includes(account.user.password)), 'the password reached the second server');
      assert.equal(await publishedMaster(account.user), original);

      // Explicit confirmation opens the write path.
      assert.equal(await ui.attr('confirm-homeserver', 'data-host'), relayHost);
      await ui.click('confirm-homeserver');
      await ui.waitFor('homeserver-confirmed');
      assert.equal(await ui.attr('homeserver-warning', 'data-confirmed'), 'true');
      // The confirmation is the session's, in storage.session only; never persisted.
      const stored = await b.evalExtension(async () => ({
        local: JSON.stringify(await browser.storage.local.get(null)),
        session: JSON.stringify(await browser.storage.session.get('sessions')),
      }), null);
      assert.ok(!stored.local.includes('homeserverConfirmed') && !stored.local.includes(relayHost), stored.local);
      assert.ok(stored.session.includes('"homeserverConfirmed":true'));

      await waitUntil('Run enabled', async () => !(await runDisabled(ui)));
      await ui.click('repair-run');
      // The password prompt names the account and the host the password goes to.
      await ui.waitFor('repair-password', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-password', 'autocomplete'), 'off');
      const prompt = await ui.text('repair-password-host');
      assert.equal(prompt, `Password for ${account.user.userId}, sent to ${relayHost}:`);
      await ui.fill('repair-password', account.user.password);
      await ui.click('repair-password-submit');
      await ui.waitFor('repair-result', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success');
      assert.ok(relay.log.some((e) => e.method === 'POST' && e.path === UPLOAD), 'the confirmed host received the write');
      assert.notEqual(await publishedMaster(account.user), original);
      await ui.close();
    });

    test('device IDs and display names with control or bidi-override characters are shown escaped', async () => {
      const account = await buildAccount(hs, 'healthy', { devices: 2 });
      // The homeserver reports whatever display name a device was given (keys/query unsigned).
      const evil = 'Phone\u202Egnp.exe\u0007';
      const other = account.devices[1]!.deviceId;
      await callJson(hs.baseUrl, 'PUT', `/_matrix/client/v3/devices/${encodeURIComponent(other)}`, { token: account.user.accessToken, body: { display_name: evil } });
      // The page also lists a second session whose user ID hides a bidi override (its token is
      // refused, so it shows among the unusable sessions, with the page's own user ID).
      const planted = { ...account.user, userId: `@\u202Eecila:${hs.serverName}`, accessToken: 'not-a-real-token' };
      const ui = await popupOnPage(webApps.sable([account.user, planted], account.user.userId));
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      await ui.waitFor('device-row', { attr: ['data-device-id', other] });
      await ui.waitFor('session-rejected');
      const html = await ui.html();
      const raw = /.{0,80}[\u202E\u0007].{0,80}/s.exec(html);
      assert.equal(raw, null, `a raw bidi override or control character in the popup: ${JSON.stringify(raw?.[0])}`);
      assert.ok(html.includes('Phone\\u202Egnp.exe\\u0007'), 'the display name is shown escaped');
      assert.ok((await ui.text('session-rejected')).includes('@\\u202Eecila:'), 'the planted user ID is shown escaped');
      await ui.close();
    });
  });
}
