// Smoke test of the whole chain in both browsers: the test build loads, its UI renders, and the
// background worker performs an authenticated whoami against the real Synapse for a fixture user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { registerUser, type TestUser } from './harness/users.ts';

for (const name of BROWSERS) {
  describe(`smoke (${name})`, () => {
    let hs: SynapseInfo;
    let user: TestUser;
    let b: ExtensionBrowser;
    before(async () => {
      hs = await testSynapse();
      user = await registerUser(hs);
      b = await launchBrowser(name);
    });
    after(() => b?.close());

    test('the background answers from its expected context', async () => {
      const ui = await b.openUi();
      await ui.waitFor('app', { attr: ['data-loading', 'false'] });
      const pong = await ui.evaluate(async () => {
        const reply = await browser.runtime.sendMessage({ type: 'ping', req: {} });
        return reply as { ok: boolean; value: { background: string; version: string } };
      }, null);
      assert.equal(pong.ok, true);
      assert.equal(pong.value.background, name === 'chromium' ? 'service-worker' : 'event-page');
      await ui.close();
    });

    test('manual connect: the background calls whoami on Synapse and the card shows the result', async () => {
      const ui = await b.openUi();
      await ui.waitFor('manual-form');
      await ui.fill('manual-homeserver', hs.baseUrl);
      await ui.fill('manual-token', user.accessToken);
      await ui.click('manual-connect');
      await ui.waitFor('session-user-id');
      assert.match(await ui.text('session-user-id'), new RegExp(`^${user.userId.replace(/[.$]/g, '\\$&')}`));
      assert.match(await ui.text('session-device-id'), new RegExp(`^${user.deviceId}`));
      assert.equal(await ui.text('session-homeserver'), hs.baseUrl);
      assert.equal(await ui.text('session-app'), 'manual');
      // The token is shown only masked and never sits in the page's DOM.
      assert.ok(!(await ui.html()).includes(user.accessToken), 'token leaked into the popup DOM');

      // Custody: in storage.session for a restarted worker, never in storage.local/sync.
      const stores = await b.evalExtension(async () => ({
        local: JSON.stringify(await browser.storage.local.get(null)),
        sync: JSON.stringify(await browser.storage.sync.get(null).catch(() => ({}))),
        session: JSON.stringify(await browser.storage.session.get(null)),
      }), null);
      assert.ok(!stores.local.includes(user.accessToken), 'token in storage.local');
      assert.ok(!stores.sync.includes(user.accessToken), 'token in storage.sync');
      assert.ok(stores.session.includes(user.accessToken), 'token not kept in storage.session');
      await ui.close();
    });

    test('a wrong token gets a specific error, not a crash', async () => {
      const ui = await b.openUi();
      // The previous test connected; forgetting the session brings the form back.
      await ui.waitFor('session-forget');
      await ui.click('session-forget');
      await ui.waitFor('manual-form');
      await ui.fill('manual-homeserver', hs.baseUrl);
      await ui.fill('manual-token', 'syt_not_a_real_token_at_all');
      await ui.click('manual-connect');
      await ui.waitFor('error');
      assert.match(await ui.text('error'), /M_UNKNOWN_TOKEN|token/i);
      const session = await b.evalExtension(async () => JSON.stringify(await browser.storage.session.get(null)), null);
      assert.ok(!session.includes(user.accessToken), 'a forgotten session must leave storage.session');
      await ui.close();
    });
  });
}
