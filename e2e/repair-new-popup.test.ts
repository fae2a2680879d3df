// The recovery repairs in the popup, in both browsers against Synapse (docs/repairs.md): set up
// secret storage (the new recovery key shown once, Run gated on "I saved it", never in extension
// storage), set the default key, start a new key backup, and sign out a session whose keys cannot
// be trusted (this session only with the second box). Each ends with the status re-read, and the
// server checked from Node with the recovery key the person now holds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeRecoveryKey, encodeRecoveryKey } from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { cli } from './harness/cli-process.ts';
import { buildAccount, queryOwnKeys, type FixtureAccount } from './harness/identity.ts';
import { badSelfSignatureAccount, exportOnlyReset } from './harness/recovery-states.ts';
import { registerSecret } from './harness/secrets-registry.ts';
import { assertStorageClean, chooseExportFile, connectManually, openRepair, problemCodes, repairChunk, runRepair, setChecked } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';

/** The status as the CLI reads it with `recoveryKey`: the problem codes. */
async function codesWith(hs: SynapseInfo, account: FixtureAccount, recoveryKey: string): Promise<string[]> {
  const r = await cli(['status', '--homeserver', hs.baseUrl, '--json'], { XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: recoveryKey });
  return (JSON.parse(r.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code).sort();
}

const runDisabled = (ui: UiPage): Promise<boolean> =>
  ui.evaluate(() => (document.querySelector('[data-testid="repair-run"]') as HTMLButtonElement).disabled, null);

async function preview(ui: UiPage): Promise<void> {
  await ui.click('repair-preview-button');
  await ui.waitFor('repair-preview', { timeoutMs: 60_000 });
}

for (const name of BROWSERS) {
  describe(`recovery repairs in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('no secret storage after an export-only reset: set it up with the export file; the recovery key is shown once and gates Run', async () => {
      const { account, exportFile } = await exportOnlyReset(hs);
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('no-secret-storage'));
      // The repair forms are a chunk of their own (e2e/packages.test.ts holds its size and that the
      // forms' markup is only there): not loaded with the report, loaded when the first form opens.
      assert.equal(await repairChunk(ui), 'not-loaded');
      assert.equal(await ui.evaluate(() => document.querySelector('[data-testid="repair-form"]'), null), null);
      await openRepair(ui, 'create-secret-storage');
      assert.equal(await repairChunk(ui), 'loaded');
      const text = readFileSync(exportFile, 'utf8');
      await chooseExportFile(ui, text);
      // The file is read asynchronously: preview once the form holds it.
      await ui.waitFor('repair-new-storage', { attr: ['data-export-file', 'true'] });
      await preview(ui);
      const paths = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-path') ?? ''), null);
      assert.equal(paths.filter((p) => p.includes('m.cross_signing.')).length, 3, paths.join('\n'));
      assert.ok(paths.at(-1)!.endsWith('m.secret_storage.default_key'), 'the default key is set last');
      await ui.waitFor('recovery-key-offer');
      const recoveryKey = (await ui.text('new-recovery-key')).trim();
      registerSecret('recovery-key', recoveryKey, `recovery key made in the popup (${name})`);
      assert.equal(encodeRecoveryKey(decodeRecoveryKey(recoveryKey)), recoveryKey);
      assert.match(await ui.attr('recovery-key-download', 'href') ?? '', /^blob:/);
      assert.equal(await runDisabled(ui), true, 'Run waits for "I saved the recovery key"');
      await setChecked(ui, '[data-testid="recovery-key-saved"]', true);
      assert.equal(await runDisabled(ui), false);
      assert.equal(await runRepair(ui), 'success');
      assert.ok(!(await problemCodes(ui)).includes('no-secret-storage'));
      assert.deepEqual(await codesWith(hs, account, recoveryKey), ['device-not-cross-signed'], 'only the session the reset did not sign is left');
      await assertStorageClean(b, { ...account, secretStorage: { keyId: '', key: new Uint8Array(), recoveryKey } });
      await ui.close();
    });

    test('a popup reopened after the preview has no recovery key to show: it says so and Run stays off', async () => {
      const { account } = await exportOnlyReset(hs, { devices: 1 });
      const ui = await connectManually(b, hs, account.user.accessToken);
      await openRepair(ui, 'create-secret-storage');
      await preview(ui);
      await ui.waitFor('recovery-key-offer');
      registerSecret('recovery-key', (await ui.text('new-recovery-key')).trim(), `recovery key of a preview never run (${name})`);
      await ui.close();
      const again = await b.openUi();
      await again.waitFor('repair-panel', { attr: ['data-phase', 'preview'], timeoutMs: 30_000 });
      await again.waitFor('recovery-key-lost');
      assert.equal(await again.count('new-recovery-key'), 0);
      assert.equal(await runDisabled(again), true);
      await again.click('repair-cancel');
      await again.close();
    });

    test('no-default-key: set-default-key with the recovery key of the key there is → healthy', async () => {
      const account = await buildAccount(hs, 'no-default-key');
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('no-default-key'));
      await openRepair(ui, 'set-default-key');
      await ui.fill('repair-recovery-key', encodeRecoveryKey(globalThis.crypto.getRandomValues(new Uint8Array(32))));
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /matches none of the secret-storage keys/);
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await preview(ui);
      assert.equal(await runRepair(ui), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      await assertStorageClean(b, account);
      await ui.close();
    });

    test('backup-key-missing: reset-backup stores the new key, then creates the version → healthy', async () => {
      const account = await buildAccount(hs, 'backup-key-missing');
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('backup-key-missing'));
      await openRepair(ui, 'reset-backup');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await preview(ui);
      const methods = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => `${e.getAttribute('data-method')} ${e.getAttribute('data-path')}`), null);
      assert.equal(methods.at(-1), 'POST /_matrix/client/v3/room_keys/version');
      assert.equal(await runRepair(ui), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      assert.deepEqual(await codesWith(hs, account, account.secretStorage!.recoveryKey), []);
      await ui.close();
    });

    test('a session with a bad self-signature: sign-out-device (password asked) → healthy; this session needs the second box', async () => {
      const { account, bad } = await badSelfSignatureAccount(hs);
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('device-self-signature-invalid'));
      await openRepair(ui, 'sign-out-device');
      const chosen = await ui.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('[data-testid="repair-signout-device"]')].filter((e) => e.checked).map((e) => e.dataset['deviceId']), null);
      assert.deepEqual(chosen, [bad.deviceId], 'the untrustworthy session is chosen, never this one');
      // This session without the second confirmation: refused, nothing sent.
      await setChecked(ui, `[data-testid="repair-signout-device"][data-device-id="${account.user.deviceId}"]`, true);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /this session/);
      assert.equal(await ui.count('repair-this-session'), 1);
      await setChecked(ui, `[data-testid="repair-signout-device"][data-device-id="${account.user.deviceId}"]`, false);
      await preview(ui);
      assert.equal(await ui.attr('repair-step', 'data-path'), `/_matrix/client/v3/devices/${bad.deviceId}`);
      assert.equal(await runRepair(ui, account.user.password), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      const devices = Object.keys((await queryOwnKeys(account.user)).device_keys?.[account.user.userId] ?? {});
      assert.ok(!devices.includes(bad.deviceId) && devices.includes(account.user.deviceId));
      await ui.close();
    });
  });
}
