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
import { assertStorageClean, connectManually, openRepair, problemCodes, runRepair, setChecked, waitText } from './harness/status-ui.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { peopleInRoomWith, peopleWithIdentity, roomWith, verifyPerson, type Person } from './harness/users-fixture.ts';
import { callJson } from './harness/users.ts';

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

/** Each listed person's state, by user ID. */
const rows = (ui: UiPage): Promise<Record<string, string>> => ui.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-testid="user-row"]')].map((r) => [r.getAttribute('data-user-id'), r.getAttribute('data-state')])), null);

/** Wait until the people section reads `want` for each person named in it. */
async function waitStates(ui: UiPage, want: Record<string, string>): Promise<void> {
  await waitUntil(`the people to read ${JSON.stringify(want)}`, async () => {
    const got = await rows(ui);
    return Object.entries(want).every(([u, s]) => got[u] === s);
  }, 30_000);
}

for (const name of BROWSERS) {
  describe(`verify-user and keep-verified in the popup (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('verify-user: a key that is not theirs is refused; the confirmed fingerprint signs; a reset keeps them verified', async () => {
      const ed = await fixtureEd25519();
      const me = await buildAccount(hs, 'healthy', { devices: 1 });
      const [bob, carol] = await peopleInRoomWith(hs, me.user, 2, ed) as [Person, Person];
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

    test('keep-verified is a per-person checklist carried out after the upload; someone I verified who resets reads identity-changed, in the verdict', async () => {
      const ed = await fixtureEd25519();
      const me = await buildAccount(hs, 'healthy', { devices: 1 });
      const [bob, carol, dan] = await peopleWithIdentity(hs, 3) as [Person, Person, Person];
      await roomWith(me.user, [bob.user, carol.user, dan.user], true);
      for (const p of [bob, carol, dan]) await verifyPerson(me.user, me.crossSigning!.userSigning, p, ed);
      const id = (p: Person) => p.user.userId;
      const recoveryKey = me.secretStorage!.recoveryKey;
      const ui = await connectManually(b, hs, me.user.accessToken);

      // A healthy account whose verified people are all verified is healthy, the people read too.
      await ui.waitFor('status-verdict', { attr: ['data-users', 'read'], timeoutMs: 30_000 });
      assert.equal(await ui.attr('status-verdict', 'data-healthy'), 'true');
      await waitStates(ui, { [id(bob)]: 'verified', [id(carol)]: 'verified', [id(dan)]: 'verified' });
      // What the extension remembers: user IDs and master public keys, per account, nothing else.
      const stored = await b.evalExtension(async () => JSON.stringify(await browser.storage.local.get(null)), null);
      const memory = JSON.parse(stored) as { verifiedUsers: { formatVersion: number; accounts: Record<string, Record<string, string>> } };
      assert.deepEqual(Object.keys(memory), ['verifiedUsers']);
      const mine = Object.entries(memory.verifiedUsers.accounts).filter(([account]) => account === `${me.user.userId} ${hs.baseUrl.toLowerCase()}`);
      assert.deepEqual(mine.map(([, people]) => people), [{
        [id(bob)]: bob.keys!.master.publicKey, [id(carol)]: carol.keys!.master.publicKey, [id(dan)]: dan.keys!.master.publicKey,
      }]);

      await openRepair(ui, 'reset-cross-signing');
      await setChecked(ui, '[data-testid="repair-keep-verified"]', true);
      await ui.waitFor('keep-verified-list', { attr: ['data-loaded', 'true'] });
      const listed = () => ui.evaluate(() => [...document.querySelectorAll('[data-testid="keep-verified-user"]')]
        .map((c) => `${c.getAttribute('data-user-id')}:${(c as HTMLInputElement).checked}`).sort(), null);
      assert.deepEqual(await listed(), [id(bob), id(carol), id(dan)].map((u) => `${u}:true`).sort());
      await ui.click('keep-verified-none');
      await waitUntil('select none', async () => (await listed()).every((x) => x.endsWith(':false')));
      await ui.fill('repair-recovery-key', recoveryKey);
      await ui.click('repair-preview-button');
      await waitText(ui, 'repair-error', 'Tick at least one person to keep verified');
      await ui.click('keep-verified-all');
      await waitUntil('select all', async () => (await listed()).every((x) => x.endsWith(':true')));
      await setChecked(ui, `[data-testid="keep-verified-user"][data-user-id="${id(carol)}"]`, false);
      await ui.fill('repair-recovery-key', recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      // One plan: the carry-over is a step after the key upload, naming exactly the people ticked.
      const steps = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((s) => ({
        id: s.getAttribute('data-step-id'),
        users: [...s.querySelectorAll('[data-testid="repair-step-user"]')].map((u) => u.getAttribute('data-user-id')).sort(),
      })), null);
      const at = (stepId: string) => steps.findIndex((s) => s.id === stepId);
      assert.ok(at('upload-keys') >= 0 && at('keep-verified') > at('upload-keys'), JSON.stringify(steps));
      assert.deepEqual(steps[at('keep-verified')]!.users, [id(bob), id(dan)].sort());
      assert.equal(await runRepair(ui, me.user.password), 'success');
      await waitStates(ui, { [id(bob)]: 'verified', [id(carol)]: 'verified-by-replaced-key', [id(dan)]: 'verified' });
      assert.equal(await verifiedByMe(hs, me, bob), true);
      assert.equal(await verifiedByMe(hs, me, carol), false);
      // carol, left out, is a problem of the account's verdict, with its repair.
      await waitUntil('the verdict to count carol', async () => (await problemCodes(ui)).includes('users-verified-by-replaced-key'), 30_000);
      assert.equal(await ui.attr('status-verdict', 'data-healthy'), 'false');
      await ui.click('repair-close');

      // bob resets his identity: the homeserver forgets my signature; the extension remembers his old key.
      const bobNew = await generateCrossSigningKeys(ed);
      await uploadCrossSigningKeys(bob.user, bobNew, { ed });
      await ui.click('status-refresh');
      await waitStates(ui, { [id(bob)]: 'identity-changed', [id(dan)]: 'verified' });
      const bobState = await ui.evaluate((u) => document.querySelector(`[data-testid="user-row"][data-user-id="${u}"] [data-testid="user-state"]`)!.textContent, id(bob));
      assert.match(bobState ?? '', /Their identity changed since you verified them/);
      await waitUntil('the verdict to count bob', async () => (await problemCodes(ui)).includes('users-identity-changed'), 30_000);
      assert.deepEqual((await problemCodes(ui)).filter((c) => c.startsWith('users-')), ['users-identity-changed', 'users-verified-by-replaced-key']);
      await assertStorageClean(b, me);
      await ui.close();
    });
  });
}
