// The people I verified, repaired from the popup in both browsers against Synapse: verify-user
// with its confirmation step (a key that is not theirs refused, nothing sent), and a reset whose
// checkbox keeps the people my user-signing key verified, as steps of the same plan.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBase64, detectEd25519, formatFingerprint, verifyJsonSignature } from '../src/core/index.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import { fixtureEd25519 } from './harness/fixture-common.ts';
import { generateCrossSigningKeys, uploadCrossSigningKeys } from './harness/cross-signing-fixture.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import { assertStorageClean, connectManually, openRepair, runRepair, setChecked, waitText } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { roomWith, verifyPerson, type Person } from './harness/users-fixture.ts';
import { callJson, registerUser } from './harness/users.ts';

type Signed = { keys: Record<string, string>; signatures?: Record<string, Record<string, string>> };

/** Does my CURRENT published user-signing key validly sign `person`'s published master key? */
async function verifiedByMe(hs: SynapseInfo, me: FixtureAccount, person: Person): Promise<boolean> {
  const q = await callJson<{ master_keys?: Record<string, Signed>; user_signing_keys?: Record<string, Signed> }>(hs.baseUrl, 'POST', '/_matrix/client/v3/keys/query', {
    token: me.user.accessToken, body: { device_keys: { [me.user.userId]: [], [person.user.userId]: [] } },
  });
  const usk = Object.values(q.user_signing_keys?.[me.user.userId]?.keys ?? {})[0]!;
  const master = q.master_keys?.[person.user.userId];
  return (await verifyJsonSignature(master, me.user.userId, `ed25519:${usk}`, decodeBase64(usk), await detectEd25519())) === 'valid';
}

for (const name of BROWSERS) {
  describe(`verify-user and keep-verified in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('verify-user: a key that is not theirs is refused; the confirmed fingerprint signs; a reset keeps them verified', async () => {
      const ed = await fixtureEd25519();
      const me = await buildAccount(hs, 'healthy', { devices: 1 });
      const people: Person[] = [];
      for (let i = 0; i < 2; i++) {
        const user = await registerUser(hs);
        const keys = await generateCrossSigningKeys(ed);
        await uploadCrossSigningKeys(user, keys, { ed });
        people.push({ user, keys });
      }
      const [bob, carol] = people as [Person, Person];
      await roomWith(me.user, [bob.user, carol.user], true);
      await verifyPerson(me.user, me.crossSigning!.userSigning, carol, ed);
      const recoveryKey = me.secretStorage!.recoveryKey;
      const ui = await connectManually(b, hs, me.user.accessToken);

      // From bob's row in the people section: the form opens with his user ID, never his key.
      await ui.waitFor('users-section', { attr: ['data-loaded', 'true'], timeoutMs: 30_000 });
      await ui.evaluate((u) => (document.querySelector(`[data-testid="user-verify"][data-user-id="${u}"]`) as HTMLButtonElement).click(), bob.user.userId);
      await ui.waitFor('repair-form', { attr: ['data-kind', 'verify-user'] });
      assert.equal(await ui.evaluate(() => (document.querySelector('[data-testid="verify-user-id"]') as HTMLInputElement).value, null), bob.user.userId);
      assert.equal(await ui.evaluate(() => (document.querySelector('[data-testid="verify-user-master"]') as HTMLInputElement).value, null), '');
      await ui.fill('verify-user-master', formatFingerprint(carol.keys!.master.publicKey));
      await ui.fill('repair-recovery-key', recoveryKey);
      // The confirmation step comes first: nothing is planned until the person ticks it.
      await ui.click('repair-preview-button');
      await waitText(ui, 'repair-error', 'Compare the key with them first');
      await setChecked(ui, '[data-testid="verify-user-confirm"]', true);
      await ui.fill('repair-recovery-key', recoveryKey);
      await ui.click('repair-preview-button');
      await waitText(ui, 'repair-error', 'Not verified: ');
      assert.match(await ui.text('repair-error'), /the master key you confirmed is not the one the homeserver publishes for them.*Nothing was sent\./);
      assert.equal(await verifiedByMe(hs, me, bob), false);

      await ui.fill('verify-user-master', formatFingerprint(bob.keys!.master.publicKey));
      await ui.fill('repair-recovery-key', recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-panel', 'data-kind'), 'verify-user');
      assert.equal(await ui.attr('repair-step', 'data-path'), '/_matrix/client/v3/keys/signatures/upload');
      assert.ok(!(await ui.html()).includes(recoveryKey));
      assert.equal(await runRepair(ui), 'success');
      assert.equal(await verifiedByMe(hs, me, bob), true);
      await ui.click('repair-close');

      await openRepair(ui, 'reset-cross-signing');
      await setChecked(ui, '[data-testid="repair-keep-verified"]', true);
      await ui.fill('repair-recovery-key', recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const preview = await ui.text('repair-preview');
      assert.match(preview, /Keep .* verified: sign their master keys with the new user-signing key/);
      assert.ok(preview.includes(bob.user.userId) && preview.includes(carol.user.userId), preview);
      assert.equal(await runRepair(ui, me.user.password), 'success');
      assert.equal(await verifiedByMe(hs, me, bob), true);
      assert.equal(await verifiedByMe(hs, me, carol), true);
      await assertStorageClean(b, me);
      await ui.close();
    });
  });
}
