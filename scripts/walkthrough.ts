// `npm run demo -- --walkthrough`: the main journey, driven headless in Chromium and Firefox, one
// screenshot per step in artifacts/walkthrough/<browser>/NN-<step>.png. A broken account (its
// user-signing key was never published, as when a client stopped half-way through setting up
// cross-signing) → the verdict → the fix its problem row suggests (a new user-signing key under the
// same master, read from secret storage with the recovery key), previewed and run, confirmed with
// the password the homeserver asks for → the healthy verdict. The Chromium screenshots are the
// ones docs/walkthrough/ keeps for the README.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserName } from '../e2e/harness/browser-paths.ts';
import { launchBrowser } from '../e2e/harness/browsers.ts';
import { v3 } from '../src/core/index.ts';
import { createKeyBackup } from '../e2e/harness/backup-fixture.ts';
import { crossSigningUploadBody, generateCrossSigningKeys } from '../e2e/harness/cross-signing-fixture.ts';
import { buildAccount, clientFor, crossSignDevices, fixtureEd25519, type FixtureAccount } from '../e2e/harness/identity.ts';
import { backupSecret, createSecretStorageKey, crossSigningSecrets, putSecretStorageKey, storeSecrets } from '../e2e/harness/secret-storage-fixture.ts';
import { givePassword, setChecked } from '../e2e/harness/status-ui.ts';
import type { SynapseInfo } from '../e2e/harness/test-synapse.ts';
import { waitUntil, type UiPage } from '../e2e/harness/ui-page.ts';
import { serveWebApp, webApps } from '../e2e/harness/web-app-pages.ts';

/**
 * An account set up as a client would, except that only the master and self-signing keys were
 * published (the first upload needs no password, docs/matrix-api.md#synapse-upload-uia): devices
 * cross-signed, backup signed by the master, secret storage holding the master and self-signing
 * keys and the backup key. Adding the user-signing key later replaces the published set, so the
 * homeserver asks for the password.
 */
async function userSigningKeyNeverPublished(hs: Pick<SynapseInfo, 'baseUrl' | 'registrationSharedSecret'>): Promise<FixtureAccount> {
  const account = await buildAccount(hs, 'no-cross-signing', { devices: 3 });
  const { user } = account;
  const session = account.devices[0]!;
  const ed = await fixtureEd25519();
  const keys = await generateCrossSigningKeys(ed);
  const body = await crossSigningUploadBody(user.userId, keys, ed);
  await clientFor(user).request('POST', v3('keys', 'device_signing', 'upload'), { body: { master_key: body.master_key, self_signing_key: body.self_signing_key } });
  await crossSignDevices(user, keys, { deviceIds: account.devices.map((d) => d.deviceId), signMasterWith: session, ed });
  const backup = await createKeyBackup(user, { master: keys.master, device: session }, { ed });
  const main = await createSecretStorageKey({});
  await putSecretStorageKey(user, main, { makeDefault: true });
  const { 'm.cross_signing.user_signing': _unpublished, ...stored } = crossSigningSecrets(keys);
  await storeSecrets(user, { ...stored, ...backupSecret(backup.privateKey) }, [main.fixture]);
  return { ...account, crossSigning: keys, backup, secretStorage: main.fixture };
}

/** Runs the journey in one browser and returns the screenshots written, in order. */
export async function walkthrough(hs: Pick<SynapseInfo, 'baseUrl' | 'registrationSharedSecret'>, browserName: BrowserName, outDir: string): Promise<string[]> {
  const dir = join(outDir, browserName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const account = await userSigningKeyNeverPublished(hs);
  const page = await serveWebApp(webApps.element({ ...account.user }, 'encrypted'));
  const browser = await launchBrowser(browserName, { headless: true, leakWatch: false });
  const shots: string[] = [];
  let ui: UiPage | undefined;
  /** What the popup-sized viewport shows with `testId` scrolled to its bottom (or the top of the page). */
  const shot = async (step: string, testId?: string) => {
    const path = join(dir, `${String(shots.length + 1).padStart(2, '0')}-${step}.png`);
    await ui!.evaluate((t) => {
      if (t === undefined) window.scrollTo(0, 0);
      else document.querySelector(`[data-testid="${t}"]`)!.scrollIntoView({ block: 'end' });
    }, testId);
    await ui!.screenshot(path, { fullPage: false });
    shots.push(path);
  };
  try {
    const { tabId } = await browser.openTab(page.url);
    ui = await browser.openUi(tabId);

    // 1. The verdict on the broken account, each problem with the repair it suggests.
    await ui.waitFor('status-verdict', { attr: ['data-healthy', 'false'], timeoutMs: 60_000 });
    await shot('broken-verdict');

    // 2. The suggested fix, opened from the problem's row: only the missing key is made.
    await ui.evaluate(() => (document.querySelector('[data-testid="problem-repair"][data-repair="regenerate-subkeys"] a') as HTMLElement).click(), null);
    await ui.waitFor('repair-form', { attr: ['data-kind', 'regenerate-subkeys'] });
    await setChecked(ui, '[data-testid="repair-subkey-selfSigning"]', false);
    await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
    await shot('suggested-fix', 'repair-form');

    // 3. The preview: every request as it will be sent, nothing sent yet.
    await ui.click('repair-preview-button');
    await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
    await shot('preview', 'repair-panel');

    // 4. Run: the homeserver may ask for the password (a reset or a key replacement does).
    const reads = Number(await ui.attr('status-report', 'data-reads'));
    await ui.click('repair-run');
    let asked = false;
    await waitUntil('the repair to finish', async () => {
      if (await ui!.count('repair-result')) return true;
      if (!asked && await ui!.count('repair-password')) {
        asked = true;
        await shot('password', 'repair-password-form');
        await givePassword(ui!, account.user.password);
      }
      return false;
    }, 120_000);
    await ui.waitFor('status-report', { attr: ['data-reads', String(reads + 1)], timeoutMs: 30_000 });
    await shot('repaired', 'repair-result');

    // 5. The healthy verdict after the re-read.
    await ui.click('repair-close');
    await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
    await shot('healthy');
    return shots;
  } finally {
    await browser.close().catch(() => {});
    await page.close();
  }
}
