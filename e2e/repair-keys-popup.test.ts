// The popup's key-publishing repairs and choices, in both browsers against Synapse: replacing only
// the self-signing key (with the passphrase instead of the recovery key), cross-signing the devices
// picked in the list, uploading pasted keys by hand, and a reset for a user with no keys and no
// secret storage, kept safe by the export file (no UIA: a first upload). Server state re-read
// from Node after each.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEd25519, encodeBase64, exportFormOf, generateCrossSigningKeys, parseKeysExportFile, readKeysExportFile } from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount } from './harness/identity.ts';
import { assertStorageClean, connectManually, openRepair, problemCodes, runRepair, setChecked, typePassphrase } from './harness/status-ui.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { storedPublicKey } from './harness/stored-seeds.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';
import { registerPrivateKey } from './harness/secrets-registry.ts';

/** Run the previewed flow, answering a password prompt if the homeserver asks. */
async function runToResult(ui: UiPage, password: string): Promise<string | null> {
  await ui.click('repair-run');
  for (let i = 0; i < 600; i++) {
    if (await ui.count('repair-result')) return ui.attr('repair-result', 'data-outcome');
    if (await ui.count('repair-password')) {
      await ui.fill('repair-password', password);
      await ui.click('repair-password-submit');
      await ui.waitFor('repair-panel', { attr: ['data-phase', 'running'] }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no repair result');
}

for (const name of BROWSERS) {
  describe(`key-publishing repairs in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('replace only the self-signing key, unlocked with the passphrase: master and user-signing key stay, healthy after', async () => {
      const passphrase = `correct horse ${name} battery`;
      const a = await buildAccount(hs, 'healthy', { passphrase });
      const before = await publishedKeys(a.user);
      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'regenerate-subkeys');
      await setChecked(ui, '[data-testid="repair-subkey-userSigning"]', false);
      await typePassphrase(ui, passphrase);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const paths = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-path')), null);
      assert.equal(paths.filter((p) => p === '/_matrix/client/v3/keys/device_signing/upload').length, 1);
      assert.ok(!(await ui.html()).includes(passphrase), 'the passphrase is gone from the page');
      assert.equal(await runToResult(ui, a.user.password), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      const after = await publishedKeys(a.user);
      assert.equal(after.master, before.master);
      assert.equal(after.userSigning, before.userSigning);
      assert.ok(after.selfSigning !== undefined && after.selfSigning !== before.selfSigning);
      assert.equal(await storedPublicKey(hs, a, 'selfSigning', 'current'), after.selfSigning);
      assert.equal(await storedPublicKey(hs, a, 'selfSigning', 'previous'), before.selfSigning);
      await assertStorageClean(b, a);
      assert.ok(!(await b.evalExtension(async () => JSON.stringify(await browser.storage.session.get(null)), null)).includes(passphrase));
      await ui.close();
    });

    test('sign-devices signs exactly the devices picked in the list', async () => {
      const a = await buildAccount(hs, 'devices-not-cross-signed', { devices: 3 });
      const [, picked, left] = a.devices;
      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'sign-devices');
      // Both unsigned devices are pre-selected; the signed session is not.
      const chosen = await ui.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('[data-testid="repair-device"]')].filter((e) => e.checked).map((e) => e.dataset['deviceId']).sort(), null);
      assert.deepEqual(chosen, [picked!.deviceId, left!.deviceId].sort());
      await setChecked(ui, `[data-testid="repair-device"][data-device-id="${left!.deviceId}"]`, false);
      await ui.fill('repair-recovery-key', a.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const preview = await ui.text('repair-preview');
      assert.match(preview, new RegExp(picked!.deviceId));
      assert.doesNotMatch(preview, new RegExp(left!.deviceId));
      assert.equal(await runToResult(ui, a.user.password), 'success');
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      const sigs = (await publishedKeys(a.user)).keys.device_keys?.[a.user.userId] ?? {};
      const signedBySsk = (id: string) => Object.keys(sigs[id]?.signatures?.[a.user.userId] ?? {}).length > 1;
      assert.ok(signedBySsk(picked!.deviceId), 'the picked device is cross-signed');
      assert.ok(!signedBySsk(left!.deviceId), 'the other is left alone');
      await ui.close();
    });

    test('upload keys by hand: a bad paste is refused with the reason, then the pasted keys are published without UIA', async () => {
      const a = await buildAccount(hs, 'no-cross-signing');
      const ed = await detectEd25519();
      const keys = await generateCrossSigningKeys(a.user.userId, ed);
      const other = await generateCrossSigningKeys(a.user.userId, ed);
      // Pasted into the popup: the leak watch checks they go nowhere (not even to the homeserver).
      for (const k of [keys, other]) for (const pair of [k.master, k.selfSigning, k.userSigning]) registerPrivateKey(pair.seed, 'a seed pasted into the manual upload');
      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'manual-upload');
      await ui.fill('repair-manual-master', JSON.stringify(keys.master.key));
      await ui.fill('repair-manual-selfSigning', JSON.stringify(other.selfSigning.key));
      await ui.fill('repair-manual-userSigning', JSON.stringify(keys.userSigning.key, null, 2));
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /selfSigning key.*(does not verify|not signed)/);
      assert.equal((await publishedKeys(a.user)).master, undefined, 'nothing was sent');
      // The right self-signing key, as its seed this time (the key is derived and signed by the master seed).
      await ui.fill('repair-manual-master', encodeBase64(keys.master.seed));
      await ui.fill('repair-manual-selfSigning', encodeBase64(keys.selfSigning.seed));
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.ok(!(await ui.html()).includes(encodeBase64(keys.master.seed)), 'the seeds are gone from the page');
      assert.equal(await runRepair(ui), 'success');
      assert.equal(await ui.count('repair-password'), 0);
      const after = await publishedKeys(a.user);
      assert.deepEqual([after.master, after.selfSigning, after.userSigning], [keys.master.publicKey, keys.selfSigning.publicKey, keys.userSigning.publicKey]);
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      assert.ok(!(await problemCodes(ui)).includes('no-cross-signing'));
      await ui.close();
    });

    test('reset for a user with no keys and no secret storage: encrypted export file offered once, Run gated on saving it, no UIA', async () => {
      const a = await buildAccount(hs, 'no-cross-signing');
      const ui = await connectManually(b, hs, a.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('no-cross-signing'));
      await openRepair(ui, 'reset-cross-signing');
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /export file/);
      await setChecked(ui, '[data-testid="repair-export"]', true);
      // The export is encrypted by default: no passphrase, a short one or two different ones are refused in the popup.
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /Export file: the passphrase must be at least 10 characters long/);
      await ui.fill('export-passphrase', `first ${name} passphrase`);
      await ui.fill('export-passphrase-confirm', `other ${name} passphrase`);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /the two passphrases differ/);
      assert.equal(await ui.count('repair-export-offer'), 0, 'nothing previewed yet');
      const exportPassphrase = `export passphrase for ${name}`;
      await ui.fill('export-passphrase', exportPassphrase);
      await ui.fill('export-passphrase-confirm', exportPassphrase);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-export-offer', { timeoutMs: 30_000 });
      assert.equal(await ui.evaluate(() => (document.querySelector('[data-testid="repair-run"]') as HTMLButtonElement).disabled, null), true);
      assert.equal(await ui.attr('repair-export-download', 'data-encrypted'), 'true');
      const href = await ui.attr('repair-export-download', 'href');
      assert.match(href ?? '', /^blob:/, 'the keys are a blob, not in the DOM');
      const text = await ui.evaluate(async (u) => (await fetch(u)).text(), href!);
      // Decrypted here, in Node: the downloaded file needs the passphrase, and holds the keys published next.
      assert.equal(exportFormOf(text), 'encrypted');
      const ed = await detectEd25519();
      assert.ok(!(await parseKeysExportFile(text, ed)).ok, 'no plaintext seed in the file');
      const wrong = await readKeysExportFile(text, `${exportPassphrase}!`, ed);
      assert.ok(!wrong.ok && /wrong passphrase, or the file was altered/.test(wrong.error));
      const file = await readKeysExportFile(text, exportPassphrase, ed);
      assert.ok(file.ok, file.ok ? '' : file.error);
      for (const seed of Object.values(file.value.seeds)) registerPrivateKey(seed, 'a seed of the export file');
      assert.ok(!text.includes(encodeBase64(file.value.seeds.master!)));
      await setChecked(ui, '[data-testid="repair-export-saved"]', true);
      assert.equal(await runRepair(ui), 'success');
      const after = await publishedKeys(a.user);
      assert.deepEqual([after.master, after.selfSigning, after.userSigning],
        [file.value.publicKeys.master, file.value.publicKeys.selfSigning, file.value.publicKeys.userSigning], 'the published keys are the ones in the file');
      assert.equal(after.master, encodeBase64(await ed.publicKey(file.value.seeds.master!)), 'the published master is the one in the file');
      // Reopened, the popup no longer holds the export or its passphrase anywhere.
      await ui.close();
      const again = await b.openUi();
      await again.waitFor('status-verdict', { timeoutMs: 30_000 });
      assert.ok(!(await again.html()).includes(encodeBase64(file.value.seeds.master!)));
      const stored = await b.evalExtension(async () => JSON.stringify([await browser.storage.local.get(null), await browser.storage.session.get(null)]), null);
      assert.ok(!stored.includes(encodeBase64(file.value.seeds.master!)), 'the export is not in extension storage');
      assert.ok(!stored.includes(exportPassphrase), 'nor its passphrase');
      await again.close();
    });

    test('the unencrypted export file only after the warning is ticked', async () => {
      const a = await buildAccount(hs, 'no-cross-signing');
      const ui = await connectManually(b, hs, a.user.accessToken);
      await openRepair(ui, 'reset-cross-signing');
      await setChecked(ui, '[data-testid="repair-export"]', true);
      assert.equal(await ui.count('export-passphrase'), 1, 'a passphrase is asked by default');
      assert.match(await ui.text('export-options'), /anyone who gets this file can take over my identity/);
      await setChecked(ui, '[data-testid="export-plaintext-warning"]', true);
      assert.equal(await ui.count('export-passphrase'), 0);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-export-offer', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-export-download', 'data-encrypted'), 'false');
      assert.match(await ui.text('repair-export-offer'), /UNENCRYPTED.*Anyone who gets this file can take over your identity/s);
      const text = await ui.evaluate(async (u) => (await fetch(u)).text(), (await ui.attr('repair-export-download', 'href'))!);
      assert.equal(exportFormOf(text), 'plaintext');
      const file = await parseKeysExportFile(text, await detectEd25519());
      assert.ok(file.ok);
      for (const seed of Object.values(file.value.seeds)) registerPrivateKey(seed, 'a seed of the plaintext export file');
      await ui.click('repair-cancel');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'cancelled'], timeoutMs: 30_000 });
      assert.equal((await publishedKeys(a.user)).master, undefined, 'nothing was sent');
      await ui.close();
    });
  });
}
