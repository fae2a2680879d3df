// "Nothing lost, under every key description" (issue #12, item 1) in the popup, in both browsers
// against Synapse: a reset with a mistyped passphrase on an account whose key description has no
// key check is refused with the reason (nothing sent), and goes through only with the export file,
// which then holds the published keys; secret storage is left as it was.
//
// Hostile-homeserver stand-in, on the REAL Synapse: the tool never writes a description without
// `iv`/`mac`, but a hostile (or very old) server can serve one, and Synapse stores whatever
// account data a client PUTs, so the setup writes it directly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEd25519, encodeBase64, readKeysExportFile, v3 } from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { keyDescriptionType, SECRET_NAMES } from './harness/fixture-common.ts';
import { buildAccount, clientFor, type FixtureAccount } from './harness/identity.ts';
import { setupSecretStorage } from './harness/secret-storage-fixture.ts';
import { registerPrivateKey } from './harness/secrets-registry.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { assertStorageClean, connectManually, openRepair, runRepair, setChecked, typePassphrase } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';

async function secretsOnServer(account: FixtureAccount): Promise<Record<string, unknown>> {
  const client = clientFor(account.user);
  const out: Record<string, unknown> = {};
  for (const type of [...SECRET_NAMES, keyDescriptionType(account.secretStorage!.keyId)]) out[type] = await client.getAccountData(account.user.userId, type);
  return out;
}

async function previewWithPassphrase(ui: UiPage, passphrase: string, until: 'repair-error' | 'repair-export-offer'): Promise<void> {
  await typePassphrase(ui, passphrase);
  await ui.click('repair-preview-button');
  await ui.waitFor(until, { timeoutMs: 30_000 });
}

/** The export is encrypted by default; this is its passphrase. */
const EXPORT_PASSPHRASE = 'the export file passphrase';


for (const name of BROWSERS) {
  describe(`the popup stores nothing under an unproven secret-storage key (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('reset with a mistyped passphrase, key description without iv/mac: refused with the reason, then only with the export file', async () => {
      const passphrase = `correct horse ${name} battery staple`;
      const typo = `correct horse ${name} battery stapel`;
      const a = await buildAccount(hs, 'healthy', { passphrase });
      // Hostile-homeserver stand-in: the same description, its key check removed.
      const client = clientFor(a.user);
      const type = keyDescriptionType(a.secretStorage!.keyId);
      const { iv: _iv, mac: _mac, ...unchecked } = (await client.getAccountData(a.user.userId, type))!;
      await client.request('PUT', v3('user', a.user.userId, 'account_data', type), { body: unchecked });
      const before = await publishedKeys(a.user);
      const stored = await secretsOnServer(a);

      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'reset-cross-signing');
      await previewWithPassphrase(ui, typo, 'repair-error');
      const error = await ui.text('repair-error');
      assert.match(error, /cannot prove that the key you gave is secret-storage key/);
      assert.match(error, /no key check \(iv\/mac\) and none of the 4 secrets stored under it decrypt/);
      assert.match(error, /tick "Also save the new private keys in an export file"/);
      assert.equal(await ui.count('repair-run'), 0, 'nothing to run');
      assert.equal((await publishedKeys(a.user)).master, before.master, 'nothing published');
      assert.deepEqual(await secretsOnServer(a), stored, 'secret storage untouched');

      await setChecked(ui, '[data-testid="repair-export"]', true);
      await ui.fill('export-passphrase', EXPORT_PASSPHRASE);
      await ui.fill('export-passphrase-confirm', EXPORT_PASSPHRASE);
      await previewWithPassphrase(ui, typo, 'repair-export-offer');
      assert.match(await ui.html(), /NOT stored in secret storage \(the tool cannot prove/);
      const href = await ui.attr('repair-export-download', 'href');
      const text = await ui.evaluate(async (u) => (await fetch(u)).text(), href!);
      const file = await readKeysExportFile(text, EXPORT_PASSPHRASE, await detectEd25519());
      assert.ok(file.ok, file.ok ? '' : file.error);
      for (const seed of Object.values(file.value.seeds)) registerPrivateKey(seed, 'a seed of the export file');
      const paths = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-path') ?? ''), null);
      assert.ok(!paths.some((p) => /account_data\/m\.cross_signing/.test(p)), `no secret is stored: ${paths.join(', ')}`);
      await setChecked(ui, '[data-testid="repair-export-saved"]', true);
      assert.equal(await runRepair(ui, a.user.password), 'success');

      const after = await publishedKeys(a.user);
      assert.ok(after.master !== undefined && after.master !== before.master, 'a new master is published');
      assert.equal(after.master, encodeBase64(await (await detectEd25519()).publicKey(file.value.seeds.master!)), 'its private key is in the export file');
      const now = await secretsOnServer(a);
      for (const secret of SECRET_NAMES) assert.deepEqual(now[secret], stored[secret], `${secret} was not written under the unproven key`);
      await assertStorageClean(b, a);
      await ui.close();
    });

    test('a key description asking for 1 PBKDF2 iteration: the reset is refused naming the count, and runs with the export file', async () => {
      const passphrase = `one ${name} iteration`;
      const a = await buildAccount(hs, 'healthy');
      // Hostile-homeserver stand-in: the same secrets under a new default key made with 1 iteration.
      a.secretStorage = await setupSecretStorage(a.user, { passphrase, iterations: 1, crossSigning: a.crossSigning!, backupPrivateKey: a.backup!.privateKey });
      const before = await publishedKeys(a.user);
      const stored = await secretsOnServer(a);
      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'reset-cross-signing');
      await previewWithPassphrase(ui, passphrase, 'repair-error');
      assert.match(await ui.text('repair-error'), /asks for only 1 PBKDF2 iteration \(at least 100000 are needed to store keys\)/);
      assert.equal((await publishedKeys(a.user)).master, before.master, 'nothing published');
      assert.deepEqual(await secretsOnServer(a), stored, 'secret storage untouched');
      await setChecked(ui, '[data-testid="repair-export"]', true);
      await ui.fill('export-passphrase', EXPORT_PASSPHRASE);
      await ui.fill('export-passphrase-confirm', EXPORT_PASSPHRASE);
      await previewWithPassphrase(ui, passphrase, 'repair-export-offer');
      const text = await ui.evaluate(async (u) => (await fetch(u)).text(), (await ui.attr('repair-export-download', 'href'))!);
      const file = await readKeysExportFile(text, EXPORT_PASSPHRASE, await detectEd25519());
      assert.ok(file.ok, file.ok ? '' : file.error);
      for (const seed of Object.values(file.value.seeds)) registerPrivateKey(seed, 'a seed of the export file');
      await setChecked(ui, '[data-testid="repair-export-saved"]', true);
      assert.equal(await runRepair(ui, a.user.password), 'success');
      assert.equal((await publishedKeys(a.user)).master, file.value.publicKeys.master, 'the published master is the one in the file');
      const now = await secretsOnServer(a);
      for (const secret of SECRET_NAMES) assert.deepEqual(now[secret], stored[secret], `${secret} was not written under the weak key`);
      await ui.close();
    });
  });
}
