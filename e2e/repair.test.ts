// The popup's repair flows in both browsers, against Synapse: the background runs the plan, the
// popup previews the exact requests, asks for the password when UIA asks and shows the result.
// Checked in the popup (status re-read) and on the server directly from Node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crossSigningKeyFromSeed, decodeBase64, decryptSecret, detectEd25519, publicKeyOf, verifyJsonSignature, type wire,
} from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import { registerPrivateKey } from './harness/secrets-registry.ts';
import { assertStorageClean, connectManually, openRepair, problemCodes, runRepair, waitText } from './harness/status-ui.ts';
import { publishedMaster } from './harness/server-keys.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount, queryOwnKeys, readServerState } from './harness/identity.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';


for (const name of BROWSERS) {
  describe(`repair flows in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('sign-devices on devices-not-cross-signed: previewed, run, healthy afterwards', async () => {
      const started = Date.now();
      const account = await buildAccount(hs, 'devices-not-cross-signed');
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.deepEqual(await problemCodes(ui), ['device-not-cross-signed']);
      assert.equal(await ui.attr('problem-repair', 'data-repair'), 'sign-devices');
      await ui.click('problem-repair');
      await ui.waitFor('repair-form', { attr: ['data-kind', 'sign-devices'] });
      // Without the recovery key the background refuses (nothing is planned).
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-panel', 'data-phase'), 'preview');
      assert.equal(await ui.count('repair-step'), 1);
      assert.equal(await ui.attr('repair-step', 'data-path'), '/_matrix/client/v3/keys/signatures/upload');
      assert.match(await ui.text('repair-preview'), new RegExp(account.devices[1]!.deviceId));
      // The recovery key is gone from the page once the plan is built.
      assert.ok(!(await ui.html()).includes(account.secretStorage!.recoveryKey));

      assert.equal(await runRepair(ui), 'success');
      // The status is re-read and shown.
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      assert.deepEqual(await problemCodes(ui), []);

      // On the server: every device carries a valid signature by the published SSK.
      const ed = await detectEd25519();
      const keys = await queryOwnKeys(account.user);
      const me = account.user.userId;
      const ssk = publicKeyOf(keys.self_signing_keys?.[me]);
      assert.ok(ssk !== undefined);
      const devices = Object.values(keys.device_keys?.[me] ?? {});
      assert.equal(devices.length, account.devices.length);
      for (const device of devices) {
        assert.equal(await verifyJsonSignature(device, me, `ed25519:${ssk}`, decodeBase64(ssk), ed), 'valid', device.device_id);
      }
      await assertStorageClean(b, account);
      await ui.close();
      console.log(`[${name}] sign-devices: ${Date.now() - started} ms`);
    });

    test('reset on a healthy account: wrong password, popup reopened at the prompt, right password', async () => {
      const started = Date.now();
      const account = await buildAccount(hs, 'healthy');
      const me = account.user.userId;
      const oldMaster = account.crossSigning!.master.publicKey;
      let ui = await connectManually(b, hs, account.user.accessToken);
      await openRepair(ui, 'reset-cross-signing');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const paths = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-path')), null);
      assert.ok(paths.some((p) => p === '/_matrix/client/v3/keys/device_signing/upload'), paths.join(','));
      assert.ok(paths.some((p) => p?.includes('m.cross_signing.master')), paths.join(','));

      // Double click: still one flow.
      const flowId = await ui.attr('repair-panel', 'data-flow-id');
      await ui.evaluate(() => {
        const run = document.querySelector('[data-testid="repair-run"]') as HTMLButtonElement;
        run.click();
        run.click();
      }, null);
      await ui.waitFor('repair-password', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-panel', 'data-flow-id'), flowId);
      assert.equal(await ui.attr('repair-password-form', 'data-attempt'), '1');
      // The preflight is shown: what Synapse offers (password only, docs/matrix-api.md#synapse-uia) and the choice.
      assert.equal(await ui.attr('repair-auth-flows', 'data-chosen'), 'm.login.password');
      // Said once (no "it offers: m.login.password — using m.login.password").
      assert.equal((await ui.text('repair-auth-flows')).trim(), 'The homeserver asks to confirm this request with your password.');
      assert.match(await ui.text('repair-step-auth'), /with your password\.$/);

      // Close the popup at the prompt and reopen it: the flow is still waiting there.
      await ui.close();
      ui = await b.openUi();
      await ui.waitFor('repair-password', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-panel', 'data-flow-id'), flowId);
      assert.equal(await ui.attr('repair-panel', 'data-phase'), 'prompt');
      // The background mirrors the flow to storage.session (the prompt, not any secret).
      const mirror = await b.evalExtension(async () => JSON.stringify((await browser.storage.session.get('repairFlows'))['repairFlows'] ?? null), null);
      assert.match(mirror, /"phase":"prompt"/);
      assert.match(mirror, /"kind":"password"/);

      await ui.fill('repair-password', 'not-the-password');
      await ui.click('repair-password-submit');
      await ui.waitFor('repair-password-form', { attr: ['data-attempt', '2'], timeoutMs: 30_000 });
      await ui.waitFor('repair-error');
      assert.match(await ui.text('repair-error'), /password|forbidden/i);
      await ui.fill('repair-password', account.user.password);
      await ui.click('repair-password-submit');
      await ui.waitFor('repair-result', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success');
      assert.ok(!(await ui.html()).includes(account.user.password));

      // The server: a new master, and secret storage holds its seed.
      const state = await readServerState(hs, account);
      const keys = state.keysQuery as wire.KeysQueryResponse;
      const newMaster = publicKeyOf(keys.master_keys?.[me]);
      assert.ok(newMaster !== undefined && newMaster !== oldMaster, 'a new master is published');
      const stored = state.accountData['m.cross_signing.master'] as { encrypted: Record<string, never> };
      const ss = account.secretStorage!;
      const seed = decodeBase64((await decryptSecret(ss.key, 'm.cross_signing.master', stored.encrypted[ss.keyId]!)).trim());
      const ed = await detectEd25519();
      assert.equal((await crossSigningKeyFromSeed(me, 'master', seed, ed)).publicKey, newMaster);
      // The extension made this seed: from now on the leak watch looks for it too (at close).
      registerPrivateKey(seed, 'the master seed the reset created');

      // The popup shows the new state: the new master, only the other session left on the old key.
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      await waitText(ui, 'key-master', newMaster);
      assert.deepEqual(await problemCodes(ui), ['device-signed-by-old-key']);
      await assertStorageClean(b, account);
      await ui.close();
      console.log(`[${name}] reset: ${Date.now() - started} ms`);
    });

    test('resign-backup on backup-not-signed-by-master, then cancel a previewed flow', async () => {
      const started = Date.now();
      const account = await buildAccount(hs, 'backup-not-signed-by-master');
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.deepEqual(await problemCodes(ui), ['backup-not-signed-by-master']);
      await ui.click('problem-repair');
      await ui.waitFor('repair-form', { attr: ['data-kind', 'resign-backup'] });
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.match(await ui.attr('repair-step', 'data-path') ?? '', /^\/_matrix\/client\/v3\/room_keys\/version\//);
      assert.equal(await runRepair(ui), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });

      // A preview that is cancelled sends nothing and says so.
      await ui.click('repair-close');
      await ui.evaluate(() => (document.querySelector('[data-testid="repair-open"][data-repair="reset-cross-signing"]') as HTMLButtonElement).click(), null);
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-run', { timeoutMs: 30_000 });
      await ui.click('repair-cancel');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'cancelled'] });
      assert.equal(await publishedMaster(account.user), account.crossSigning!.master.publicKey);
      await assertStorageClean(b, account);
      await ui.close();
      console.log(`[${name}] resign-backup + cancel: ${Date.now() - started} ms`);
    });
  });
}
