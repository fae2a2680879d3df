// The popup's status report in both browsers, against Synapse: for the healthy identity and every
// broken fixture state, the verdict and the problem rows (data-code = the CLI's codes), checked
// without and with the recovery key; the key and device rows; and hostile server data as text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import { connectManually, problemCodes } from './harness/status-ui.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { EXPECTED_PROBLEMS } from './harness/expected-problems.ts';
import { buildAccount, FIXTURE_STATES, type FixtureAccount, type FixtureState } from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { loginDevice } from './harness/users.ts';
import { uploadDeviceKeys } from './harness/device-keys.ts';

async function checkWithRecoveryKey(ui: UiPage, account: FixtureAccount) {
  await ui.fill('secret-key-input', account.secretStorage!.recoveryKey);
  await ui.click('secret-key-check');
  await ui.waitFor('ss-key-check', { attr: ['data-result', 'ok'], timeoutMs: 30_000 });
}

for (const name of BROWSERS) {
  describe(`inspect in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    const accounts = new Map<FixtureState, FixtureAccount>();
    before(async () => {
      hs = await testSynapse();
      b = await launchBrowser(name);
    });
    after(() => b?.close());

    for (const state of FIXTURE_STATES) {
      test(`${state}: verdict and problem rows`, async () => {
        const account = accounts.get(state) ?? (await buildAccount(hs, state));
        accounts.set(state, account);
        const expected = EXPECTED_PROBLEMS[state];
        const ui = await connectManually(b, hs, account.user.accessToken);
        assert.equal(await ui.attr('status-verdict', 'data-healthy'), String(expected.without.length === 0));
        assert.deepEqual(await problemCodes(ui), expected.without);
        // The verdict is said in words, not only colour.
        assert.match(await ui.text('status-verdict'), expected.without.length ? /problem/ : /Healthy/);

        if (state !== 'no-cross-signing') {
          assert.equal(await ui.attr('key-master', 'data-status'), 'ok');
          assert.equal(await ui.text(`key-master`).then((t) => t.includes(account.crossSigning!.master.publicKey)), true);
          assert.equal(await ui.attr('key-self_signing-by-master', 'data-result'), 'valid');
        }
        assert.equal(await ui.count('device-row'), account.devices.length);
        // A note, not a problem, when no device signed the current master (the replacement master is bare).
        assert.equal(await ui.count('note-master-unsigned'), state === 'master-replaced' ? 1 : 0);
        // Raw view: the exact server object behind a device row, one click away.
        await ui.click('device-raw');
        await ui.waitFor('raw-pane', { attr: ['open', ''] });
        const rawDevice = JSON.parse(await ui.text('device-raw-json')) as { device_id: string; user_id: string };
        assert.equal(rawDevice.user_id, account.user.userId);
        assert.ok(account.devices.some((d) => d.deviceId === rawDevice.device_id));
        // The pane is a modal dialog over the popup: Escape closes it and focus is back on its button.
        await ui.press('Escape');
        await waitUntil('the raw pane to close', async () => (await ui.count('raw-pane')) === 0);
        assert.equal(await ui.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null, null), 'device-raw');

        if (account.secretStorage) {
          await checkWithRecoveryKey(ui, account);
          assert.deepEqual(await problemCodes(ui), expected.with);
          // The recovery key is not kept anywhere: not in the DOM, not in extension storage.
          assert.ok(!(await ui.html()).includes(account.secretStorage.recoveryKey));
          const stored = await b.evalExtension(async () => JSON.stringify([await browser.storage.local.get(null), await browser.storage.session.get(null)]), null);
          assert.ok(!stored.includes(account.secretStorage.recoveryKey.replace(/ /g, '')), 'recovery key stored');
          assert.ok(!stored.includes(account.secretStorage.recoveryKey), 'recovery key stored');
        }
        await ui.close();
      });
    }

    test('a wrong recovery key is reported as such, not as broken secrets', async () => {
      const account = accounts.get('healthy') ?? (await buildAccount(hs, 'healthy'));
      const ui = await connectManually(b, hs, account.user.accessToken);
      await ui.fill('secret-key-input', 'EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1');
      await ui.click('secret-key-check');
      await ui.waitFor('ss-key-check', { attr: ['data-result', 'wrong-key'], timeoutMs: 30_000 });
      assert.deepEqual(await problemCodes(ui), ['wrong-recovery-key']);
      await ui.fill('secret-key-input', 'not a recovery key');
      await ui.click('secret-key-check');
      await ui.waitFor('status-error');
      assert.match(await ui.text('status-error'), /recovery key/i);
      await ui.close();
    });

    test('markup in a device name is rendered as text', async () => {
      const account = await buildAccount(hs, 'healthy');
      const evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>';
      await uploadDeviceKeys(account.user, await loginDevice(hs, account.user, { displayName: evil }));
      const ui = await connectManually(b, hs, account.user.accessToken);
      const rendered = await ui.evaluate(() => ({
        img: document.querySelectorAll('[data-testid="device-row"] img').length,
        b: document.querySelectorAll('[data-testid="device-row"] b').length,
        title: document.title,
        text: document.body.textContent ?? '',
      }), null);
      assert.equal(rendered.img, 0);
      assert.equal(rendered.b, 0);
      assert.notEqual(rendered.title, 'pwned');
      assert.ok(rendered.text.includes('<img src=x'), 'the name should appear literally');
      await ui.close();
    });
  });
}
