// The popup's users section in both browsers against Synapse (docs/matrix-api.md#user-verification):
// one row per person with their state, counts per state, the replaced-key problem naming its
// repair, the filter box, a typed user ID, and the master key for reading aloud.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { connectManually } from './harness/status-ui.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { buildUsersFixture, type UsersFixture } from './harness/users-fixture.ts';

const rows = (ui: UiPage): Promise<Record<string, string>> => ui.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-testid="user-row"]')].map((r) => [r.getAttribute('data-user-id'), r.getAttribute('data-state')])), null);

let hs: SynapseInfo;
let fx: UsersFixture;
before(async () => {
  hs = await testSynapse();
  fx = await buildUsersFixture(hs);
});

for (const name of BROWSERS) {
  describe(`users section in the popup (${name})`, () => {
    let b: ExtensionBrowser;
    before(async () => { b = await launchBrowser(name); });
    after(() => b?.close());

    test('every person with their state, counts, the problem and its repair; filter and typed user ID', async () => {
      const ui = await connectManually(b, hs, fx.me.user.accessToken);
      await ui.waitFor('users-section', { attr: ['data-loaded', 'true'], timeoutMs: 30_000 });
      assert.deepEqual(await rows(ui), fx.expected);
      const counts = await ui.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="users-count"]')]
        .map((c) => [c.getAttribute('data-state'), Number(c.getAttribute('data-count'))])), null);
      assert.deepEqual(counts, { 'verified': 2, 'verified-by-replaced-key': 1, 'identity-changed': 0, 'not-verified': 3, 'no-identity': 1 });
      assert.equal(await ui.attr('users-problem', 'data-code'), 'users-verified-by-replaced-key');
      assert.equal(await ui.attr('users-problem', 'data-repair'), 'reverify-users');
      assert.match(await ui.text('users-problem'), /1 person you verified is no longer verified because your user-signing key was replaced/);

      // The replaced-key row says the homeserver vouches for the key, and shows the key in groups.
      const gina = fx.people.gina;
      const row = await ui.evaluate((id) => {
        const r = document.querySelector(`[data-testid="user-row"][data-user-id="${id}"]`)!;
        return { state: r.querySelector('[data-testid="user-state"]')!.textContent, key: r.querySelector('[data-testid="user-fingerprint"]')!.textContent };
      }, gina.user.userId);
      assert.match(row.state ?? '', /replaced user-signing key.*homeserver vouches/);
      assert.equal(row.key, gina.keys!.master.publicKey.replace(/(.{4})/g, '$1 ').trim());

      await ui.fill('users-filter', gina.user.localpart);
      await waitUntil('the filter to leave one row', async () => (await ui.count('user-row')) === 1);
      await ui.fill('users-filter', 'no cross-signing');
      await waitUntil('the filter by state', async () => (await ui.count('user-row')) === 1 && (await ui.attr('user-row', 'data-state')) === 'no-identity');
      // Every user ID has an @ (an empty fill fires no input event in Firefox's driver).
      await ui.fill('users-filter', '@');

      await ui.fill('users-add', fx.ivan.user.userId);
      await ui.click('users-add-button');
      await waitUntil('the typed user to be listed', async () => (await rows(ui))[fx.ivan.user.userId] === 'not-verified', 30_000);
      assert.equal(Object.keys(await rows(ui)).length, Object.keys(fx.expected).length + 1);
      await ui.close();
    });
  });
}
