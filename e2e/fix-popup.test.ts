// The composed fix in the popup, in Chromium and Firefox against Synapse: the verdict shows one
// row per cause (its subjects under it), "Fix everything" previews ONE plan (`fix-plan`) with the
// session list, runs with at most one password, the verdict says it is being repaired while the
// flow runs (instead of a stale verdict), and the re-read verdict is healthy; matrix-js-sdk,
// given the recovery key, then trusts the identity, every session and the backup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { assertStorageClean, connectManually, givePassword, problemCodes } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';

/** The verdict's cause rows: [cause, number of problems, repair]. */
const causeRows = (ui: UiPage): Promise<[string, number, string][]> =>
  ui.evaluate(() => [...document.querySelectorAll('[data-testid="verdict-cause"]')].map((e) => [
    e.getAttribute('data-cause') ?? '', Number(e.getAttribute('data-count')), e.getAttribute('data-repair') ?? '',
  ] as [string, number, string]), null);

/** Open "Fix everything", give the recovery key, preview: the one plan. */
async function previewFix(ui: UiPage, account: FixtureAccount): Promise<void> {
  await ui.click('fix-open');
  await ui.waitFor('repair-form', { attr: ['data-kind', 'fix'] });
  // The session list: every session whose own keys are valid, ticked.
  const ticked = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-device"]')]
    .filter((e) => (e as HTMLInputElement).checked).map((e) => e.getAttribute('data-device-id') ?? '').sort(), null);
  assert.deepEqual(ticked, account.devices.map((d) => d.deviceId).sort());
  await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
  await ui.click('repair-preview-button');
  await ui.waitFor('fix-plan', { timeoutMs: 30_000 });
  assert.equal(await ui.attr('repair-panel', 'data-kind'), 'fix');
}

async function assertSdkTrusts(hs: SynapseInfo, account: FixtureAccount): Promise<void> {
  const ids = account.devices.map((d) => d.deviceId);
  const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey, devices: ids });
  const why = `SDK steps: ${verdict.steps.join('; ')}`;
  assert.equal(verdict.ownIdentityVerified, true, why);
  for (const id of ids) assert.equal(verdict.devices[id]?.crossSigningVerified, true, `device ${id} (${why})`);
  assert.equal(verdict.backup?.trusted && verdict.backup.matchesDecryptionKey, true, why);
  assert.equal(verdict.secretStorageReady, true, why);
}

for (const name of BROWSERS) {
  describe(`the composed fix in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('secrets-missing: causes shown, one plan (reset → sign the sessions → re-sign the backup), one password, "being repaired" while it runs, healthy', async () => {
      const account = await buildAccount(hs, 'secrets-missing', { devices: 3 });
      const ui = await connectManually(b, hs, account.user.accessToken);
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'false'] });
      const causes = await causeRows(ui);
      assert.ok(causes.length > 0 && causes.length < (await problemCodes(ui)).length, JSON.stringify(causes));
      assert.ok(causes.some(([id, count, repair]) => id === 'secrets-lost' && count === 3 && repair === 'reset-cross-signing'), JSON.stringify(causes));
      assert.equal(await ui.attr('status-verdict', 'data-repairing'), 'false');

      await previewFix(ui, account);
      const steps = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="fix-plan"] [data-testid="repair-step"]')]
        .map((e) => e.getAttribute('data-path') ?? ''), null);
      // Secrets stored, the keys uploaded once, the sessions signed, the backup re-signed: in this order.
      const at = (part: string) => steps.findIndex((p) => p.includes(part));
      assert.ok(at('account_data') < at('device_signing/upload') && at('device_signing/upload') < at('signatures/upload')
        && at('signatures/upload') < at('room_keys/version'), steps.join('\n'));
      assert.equal(steps.filter((p) => p.includes('device_signing/upload')).length, 1, 'one upload, so one password');

      const reads = Number(await ui.attr('status-report', 'data-reads'));
      await ui.click('repair-run');
      await ui.waitFor('repair-password-form', { attr: ['data-attempt', '1'], timeoutMs: 30_000 });
      // The flow waits for the password: the verdict above is marked, not left at its old words.
      await ui.waitFor('verdict-repairing');
      assert.equal(await ui.attr('status-verdict', 'data-repairing'), 'true');
      await givePassword(ui, account.user.password);
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 60_000 });
      await ui.waitFor('status-report', { attr: ['data-reads', String(reads + 1)], timeoutMs: 30_000 });
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      assert.equal(await ui.attr('status-verdict', 'data-repairing'), 'false');
      assert.equal(await ui.count('verdict-repairing'), 0);
      assert.equal(await ui.count('repair-password-form'), 0, 'no second password');
      assert.deepEqual(await problemCodes(ui), []);
      await assertStorageClean(b, account);
      await ui.close();
      await assertSdkTrusts(hs, account);
    });

    test('master-replaced: one cause with every session as its subject, one plan without a password, healthy', async () => {
      const account = await buildAccount(hs, 'master-replaced', { devices: 3 });
      const ui = await connectManually(b, hs, account.user.accessToken);
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'false'] });
      const causes = await causeRows(ui);
      const old = causes.find(([id]) => id === 'sessions-old-signature');
      assert.ok(old !== undefined && old[2] === 'sign-devices', JSON.stringify(causes));
      assert.equal(old[1], (await problemCodes(ui)).filter((c) => c === 'device-signed-by-old-key').length);
      await previewFix(ui, account);
      const reads = Number(await ui.attr('status-report', 'data-reads'));
      await ui.click('repair-run');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 60_000 });
      await ui.waitFor('status-report', { attr: ['data-reads', String(reads + 1)], timeoutMs: 30_000 });
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      assert.equal(await ui.attr('status-verdict', 'data-repairing'), 'false');
      assert.deepEqual(await problemCodes(ui), []);
      await ui.close();
      await assertSdkTrusts(hs, account);
    });
  });
}
