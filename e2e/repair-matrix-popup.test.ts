// The popup side of the state × repair matrix (docs/interop.md#repair-matrix), in Chromium and
// Firefox against Synapse: for the rows marked `popup` in e2e/harness/repair-matrix.ts, follow the repair
// link of the problem row that suggests the row's next repair, preview, run (the password given
// when Synapse asks), and check the popup's re-read verdict; at the end it must be healthy, and a
// fresh matrix-js-sdk device given the recovery key must trust the identity, every session and
// the backup (docs/interop.md#sdk-judge).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { selectedRows, type BrokenAccount, type RepairStep } from './harness/repair-matrix.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { registerSecret } from './harness/secrets-registry.ts';
import { assertStorageClean, chooseExportFile, connectManually, givePassword, problemCodes, runRepair, setChecked } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';

/** Repairs that upload new cross-signing keys over published ones: Synapse asks for the password (docs/matrix-api.md#synapse-upload-uia). */
const ASKS_PASSWORD = new Set(['reset-cross-signing', 'regenerate-subkeys', 'sign-out-device']);

/**
 * create-secret-storage in the popup: the export file the person holds chosen in the form (else the
 * old recovery key typed), the new
 * recovery key read from the once-shown offer (what the person holds from then on), "I saved it" ticked.
 */
async function setUpSecretStorage(ui: UiPage, broken: BrokenAccount): Promise<void> {
  await fillNewStorage(ui, broken);
  await ui.click('repair-preview-button');
  await takeRecoveryKey(ui, broken);
}

/** The new storage's source in the form: the export file the person holds, else the old recovery key. */
async function fillNewStorage(ui: UiPage, broken: BrokenAccount): Promise<void> {
  if (broken.exportFile !== undefined) {
    await chooseExportFile(ui, readFileSync(broken.exportFile, 'utf8'));
    await ui.waitFor('repair-new-storage', { attr: ['data-export-file', 'true'] });
  } else if (broken.recoveryKey !== undefined) {
    // The old recovery key: what it still decrypts is stored under the new key.
    await ui.fill('repair-recovery-key', broken.recoveryKey);
  }
}

/** The once-shown recovery key: read (what the person holds from then on), "I saved it" ticked. */
async function takeRecoveryKey(ui: UiPage, broken: BrokenAccount): Promise<void> {
  await ui.waitFor('recovery-key-offer', { timeoutMs: 60_000 });
  broken.recoveryKey = (await ui.text('new-recovery-key')).trim();
  registerSecret('recovery-key', broken.recoveryKey, 'a recovery key made in the popup');
  await setChecked(ui, '[data-testid="recovery-key-saved"]', true);
}

/** The repair links the verdict shows, in its order. */
const offeredRepairs = (ui: UiPage): Promise<string[]> =>
  ui.evaluate(() => [...document.querySelectorAll('[data-testid="problem-repair"]')].map((e) => e.getAttribute('data-repair') ?? ''), null);

/**
 * Run the previewed composed fix: it asks for the password only when one of its parts publishes
 * keys over published ones, so answer the prompt if it comes, before the result does.
 */
async function runFix(ui: UiPage, password: string): Promise<string | null> {
  const reads = Number(await ui.attr('status-report', 'data-reads'));
  await ui.click('repair-run');
  const first = await waitUntil('the password prompt or the result', async () =>
    (await ui.count('repair-password')) > 0 ? 'password' : (await ui.count('repair-result')) > 0 ? 'result' : undefined, 60_000);
  if (first === 'password') await givePassword(ui, password);
  await ui.waitFor('repair-result', { timeoutMs: 60_000 });
  await ui.waitFor('status-report', { attr: ['data-reads', String(reads + 1)], timeoutMs: 30_000 });
  return ui.attr('repair-result', 'data-outcome');
}

async function runStep(ui: UiPage, broken: BrokenAccount, step: RepairStep): Promise<void> {
  if (await ui.count('repair-close')) await ui.click('repair-close');
  if (step.repair === 'fix') {
    // Offered beside the causes whenever one of them has a repair.
    assert.equal(await ui.count('fix-open'), 1, 'the popup offers no fix');
    await ui.click('fix-open');
  } else {
    const offered = await offeredRepairs(ui);
    assert.ok(offered.includes(step.repair), `the popup offers ${offered.join(', ') || 'nothing'}, not ${step.repair}`);
    await ui.evaluate((r) => (document.querySelector(`[data-testid="problem-repair"][data-repair="${r}"]`) as HTMLElement).click(), step.repair);
  }
  await ui.waitFor('repair-form', { attr: ['data-kind', step.repair] });
  if (step.repair === 'create-secret-storage') {
    await setUpSecretStorage(ui, broken);
  } else if (step.repair === 'fix' && (await ui.count('repair-new-storage')) > 0) {
    // The fix sets up secret storage: the form asks what from, as create-secret-storage's does.
    await fillNewStorage(ui, broken);
    await ui.click('repair-preview-button');
    await takeRecoveryKey(ui, broken);
  } else {
    await ui.fill('repair-recovery-key', broken.recoveryKey!);
    if (step.repair === 'store-secrets') await ui.fill('repair-source-key', broken.otherRecoveryKey!);
    await ui.click('repair-preview-button');
    await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
  }
  const outcome = step.repair === 'fix'
    ? await runFix(ui, broken.account.user.password)
    : await runRepair(ui, ASKS_PASSWORD.has(step.repair) ? broken.account.user.password : undefined);
  assert.equal(outcome, 'success', `${step.repair} in the popup`);
  // The CLI's after-hook reads --recovery-key-out; the popup's key was read from the offer above.
  if (step.repair !== 'create-secret-storage' && step.args === undefined) step.after?.(broken);
}

for (const name of BROWSERS) {
  describe(`state × repair matrix in the popup (${name}), judged by matrix-js-sdk`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    for (const row of selectedRows().filter((r) => r.popup === true)) {
      test(`${row.state}: ${row.repairs.map((s) => s.repair).join(' → ')} → healthy`, async () => {
        const broken = await row.build(hs);
        const ui = await connectManually(b, hs, broken.account.user.accessToken);
        if (row.popupChecksSecrets === true) {
          // Without the key the stored secrets cannot be compared with the published keys: the
          // popup says healthy until the person checks them, which is where the break shows.
          assert.deepEqual(await problemCodes(ui), []);
          await ui.fill('secret-key-input', broken.recoveryKey!);
          await ui.click('secret-key-check');
          await ui.waitFor('ss-key-check', { attr: ['data-result', 'ok'], timeoutMs: 30_000 });
          assert.notDeepEqual(await problemCodes(ui), [], 'checking the secrets shows no problem');
        }
        for (const step of row.repairs) await runStep(ui, broken, step);
        await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
        assert.deepEqual(await problemCodes(ui), []);
        // An account whose secret storage the popup made: its new recovery key must not be stored either.
        await assertStorageClean(b, broken.account.secretStorage ? broken.account : { ...broken.account, secretStorage: { keyId: '', key: new Uint8Array(), recoveryKey: broken.recoveryKey! } });
        await ui.close();

        const ids = broken.account.devices.map((d) => d.deviceId);
        const verdict = await sdkCheck(hs, broken.account.user, { recoveryKey: broken.recoveryKey!, devices: ids });
        const why = `SDK steps: ${verdict.steps.join('; ')}`;
        assert.equal(verdict.ownIdentityVerified, true, why);
        for (const id of ids) assert.equal(verdict.devices[id]?.crossSigningVerified, true, `device ${id} (${why})`);
        if (broken.account.backup) assert.equal(verdict.backup?.trusted && verdict.backup.matchesDecryptionKey, true, why);
        assert.equal(verdict.secretStorageReady, true, why);
      });
    }
  });
}
