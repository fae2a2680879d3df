// The popup's store-secrets and upload-keys repairs in both browsers, against Synapse: planned by
// the same builders as the CLI (src/core/repair/build-plans.ts), run by the background, checked in
// the popup (status re-read) and on the server directly from Node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, decryptSecret, publicKeyOf, type wire } from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import { connectManually, openRepair, problemCodes, runRepair, waitText } from './harness/status-ui.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount, queryOwnKeys, readServerState } from './harness/identity.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';

for (const name of BROWSERS) {
  describe(`store-secrets and upload-keys in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('store-secrets on secrets-non-default-key: wrong source refused, then re-encrypted, healthy afterwards', async () => {
      const started = Date.now();
      const account = await buildAccount(hs, 'secrets-non-default-key');
      const main = account.secretStorage!;
      const other = account.otherSecretStorage!;
      const ui = await connectManually(b, hs, account.user.accessToken);
      assert.ok((await problemCodes(ui)).includes('secret-not-under-default-key'));
      // The problem row links to the repair.
      await ui.evaluate(() => (document.querySelector('[data-testid="problem-repair"][data-repair="store-secrets"]') as HTMLElement).click(), null);
      await ui.waitFor('repair-form', { attr: ['data-kind', 'store-secrets'] });

      // Without the source key: refused. With the default key given as the source: matches no other key.
      await ui.fill('repair-recovery-key', main.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /other secret-storage key/);
      await ui.fill('repair-recovery-key', main.recoveryKey);
      await ui.fill('repair-source-key', main.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      await waitText(ui, 'repair-error', 'matches none');

      await ui.fill('repair-recovery-key', main.recoveryKey);
      await ui.fill('repair-source-key', other.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const paths = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-path') ?? ''), null);
      for (const secret of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing']) {
        assert.ok(paths.some((p) => p.endsWith(`/account_data/${secret}`)), paths.join(','));
      }
      const html = await ui.html();
      assert.ok(!html.includes(main.recoveryKey) && !html.includes(other.recoveryKey), 'no recovery key left in the page');

      assert.equal(await runRepair(ui), 'success');
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
      assert.ok(!(await problemCodes(ui)).includes('secret-not-under-default-key'));

      // The server: each cross-signing secret now decrypts under the default key to the published key's seed.
      const state = await readServerState(hs, account);
      const me = account.user.userId;
      const keys = state.keysQuery as wire.KeysQueryResponse;
      const published = { 'm.cross_signing.master': publicKeyOf(keys.master_keys?.[me]), 'm.cross_signing.self_signing': publicKeyOf(keys.self_signing_keys?.[me]), 'm.cross_signing.user_signing': publicKeyOf(keys.user_signing_keys?.[me]) };
      const seeds = { 'm.cross_signing.master': account.crossSigning!.master, 'm.cross_signing.self_signing': account.crossSigning!.selfSigning, 'm.cross_signing.user_signing': account.crossSigning!.userSigning };
      for (const [secret, pair] of Object.entries(seeds)) {
        const stored = state.accountData[secret] as { encrypted: Record<string, never> };
        assert.ok(stored.encrypted[main.keyId] !== undefined, `${secret} under the default key`);
        assert.ok(stored.encrypted[other.keyId] !== undefined, `${secret} still under the other key`);
        const text = (await decryptSecret(main.key, secret, stored.encrypted[main.keyId]!)).trim();
        assert.deepEqual(new Uint8Array(decodeBase64(text)), new Uint8Array(pair.seed));
        assert.equal(published[secret as keyof typeof published], pair.publicKey);
      }
      await ui.close();
      console.log(`[${name}] store-secrets: ${Date.now() - started} ms`);
    });

    test('upload-keys: nothing to do on a healthy account; on secrets-mismatch the stored keys are published', async () => {
      const started = Date.now();
      // Healthy: the keys in secret storage are the published ones.
      const healthy = await buildAccount(hs, 'healthy', { devices: 1 });
      const before = await queryOwnKeys({ baseUrl: hs.baseUrl, userId: healthy.user.userId, accessToken: healthy.user.accessToken });
      let ui = await connectManually(b, hs, healthy.user.accessToken);
      await openRepair(ui, 'upload-keys');
      await ui.fill('repair-recovery-key', healthy.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-error', { timeoutMs: 30_000 });
      assert.match(await ui.text('repair-error'), /Nothing to do: the keys in secret storage are the ones already published/);
      assert.equal(await ui.count('repair-panel'), 0, 'no flow was planned');
      assert.deepEqual(await queryOwnKeys({ baseUrl: hs.baseUrl, userId: healthy.user.userId, accessToken: healthy.user.accessToken }), before, 'the server is unchanged');
      await ui.close();

      // secrets-mismatch: secret storage holds a never-published key set; upload-keys publishes it (password UIA).
      const account = await buildAccount(hs, 'secrets-mismatch', { devices: 1 });
      const me = account.user.userId;
      const stored = account.unpublishedCrossSigning!;
      ui = await connectManually(b, hs, account.user.accessToken);
      await openRepair(ui, 'upload-keys');
      await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-step', 'data-path'), '/_matrix/client/v3/keys/device_signing/upload');
      assert.match(await ui.text('repair-preview'), new RegExp(stored.master.publicKey.replace(/[+/]/g, '\\$&')));
      assert.equal(await runRepair(ui, account.user.password), 'success');
      assert.ok(!(await ui.html()).includes(account.user.password));

      // The server publishes exactly the keys whose seeds secret storage holds.
      const keys = await queryOwnKeys({ baseUrl: hs.baseUrl, userId: me, accessToken: account.user.accessToken });
      assert.equal(publicKeyOf(keys.master_keys?.[me]), stored.master.publicKey);
      assert.equal(publicKeyOf(keys.self_signing_keys?.[me]), stored.selfSigning.publicKey);
      assert.equal(publicKeyOf(keys.user_signing_keys?.[me]), stored.userSigning.publicKey);
      assert.notEqual(stored.master.publicKey, account.crossSigning!.master.publicKey);
      // The popup re-reads the status: the new master is shown.
      await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
      await waitText(ui, 'key-master', stored.master.publicKey);
      await ui.close();
      console.log(`[${name}] upload-keys: ${Date.now() - started} ms`);
    });
  });
}
