// The people I verified, repaired end to end with the CLI on the real Synapse
// (docs/matrix-api.md#signatures-upload, docs/matrix-api.md#user-verification): verify-user and
// its refusals, a reset that keeps people verified, reverify-users after a reset that did not, and
// matrix-js-sdk 43's Rust crypto (a new device of mine given the recovery key) as the judge of
// whom my identity vouches for after each.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { formatFingerprint, type UsersReport } from '../src/core/index.ts';
import { cli, DEFAULT_STATE_FILE } from './harness/cli-process.ts';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureEd25519 } from './harness/fixture-common.ts';
import { generateCrossSigningKeys, uploadCrossSigningKeys } from './harness/cross-signing-fixture.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { roomWith, verifyPerson, type Person } from './harness/users-fixture.ts';
import { registerUser } from './harness/users.ts';

type Name = 'bob' | 'carol' | 'dave' | 'erin' | 'frank';

describe('verify-user, keep-verified and reverify-users with the CLI against Synapse', () => {
  let hs: SynapseInfo;
  let me: FixtureAccount;
  const people = {} as Record<Name, Person>;
  let erinOldMaster: string;
  const id = (n: Name) => people[n].user.userId;
  const env = () => ({ XSIGN_TOKEN: me.user.accessToken, XSIGN_RECOVERY_KEY: me.secretStorage!.recoveryKey });
  const hsFlag = () => ['--homeserver', hs.baseUrl];

  /** Each person's state as `xsign-doctor users --json` reports it. */
  async function states(): Promise<Record<Name, string>> {
    const r = await cli(['users', ...hsFlag(), '--json'], { XSIGN_TOKEN: me.user.accessToken });
    assert.ok(r.code === 0 || r.code === 1, `users exit ${r.code}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as UsersReport;
    const out = {} as Record<Name, string>;
    for (const n of Object.keys(people) as Name[]) out[n] = report.users.find((u) => u.userId === id(n))?.state ?? 'absent';
    return out;
  }
  /** Whom a new matrix-js-sdk device of mine, given the recovery key, calls cross-signing verified. */
  async function sdkSays(): Promise<Record<Name, boolean>> {
    const verdict = await sdkCheck(hs, me.user, { recoveryKey: me.secretStorage!.recoveryKey, users: (Object.keys(people) as Name[]).map(id) });
    assert.equal(verdict.ownIdentityVerified, true, verdict.steps.join('\n'));
    return Object.fromEntries((Object.keys(people) as Name[]).map((n) => [n, verdict.users[id(n)] === true])) as Record<Name, boolean>;
  }

  before(async () => {
    hs = await testSynapse();
    const ed = await fixtureEd25519();
    me = await buildAccount(hs, 'healthy', { devices: 1 });
    for (const n of ['bob', 'carol', 'dave', 'erin', 'frank'] as const) {
      const user = await registerUser(hs);
      if (n === 'frank') { people[n] = { user }; continue; }
      const keys = await generateCrossSigningKeys(ed);
      await uploadCrossSigningKeys(user, keys, { ed });
      people[n] = { user, keys };
    }
    await roomWith(me.user, Object.values(people).map((p) => p.user), true);
    // bob, carol and erin verified by me; erin then resets her identity; dave never verified; frank has none.
    for (const n of ['bob', 'carol', 'erin'] as const) await verifyPerson(me.user, me.crossSigning!.userSigning, people[n], ed);
    erinOldMaster = people.erin.keys!.master.publicKey;
    const erinKeys = await generateCrossSigningKeys(ed);
    await uploadCrossSigningKeys(people.erin.user, erinKeys, { ed });
    people.erin.keys = erinKeys;
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified', dave: 'not-verified', erin: 'not-verified', frank: 'no-identity' });
  });

  test('verify-user refuses a master key that is not the published one (exit 1, nothing sent), also after their identity changed', async () => {
    const wrong = await cli(['verify-user', id('dave'), '--master', people.bob.keys!.master.publicKey, ...hsFlag(), '--yes'], env());
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, new RegExp(`^xsign-doctor: refusing to verify ${id('dave').replace(/[.]/g, '\\.')}: the master key you confirmed is not the one the homeserver publishes for them \\(theirs now reads [A-Za-z0-9+/]{4} `));
    assert.match(wrong.stderr, /Compare the key with them again over a channel you trust: their identity may have changed, or someone may be in between\. Nothing was sent\./);
    assert.doesNotMatch(wrong.stdout, /keys\/signatures\/upload/);
    const changed = await cli(['verify-user', id('erin'), '--master', formatFingerprint(erinOldMaster), ...hsFlag(), '--yes'], env());
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stderr, /refusing to verify @.*: the master key you confirmed is not the one/);
    const noIdentity = await cli(['verify-user', id('frank'), '--master', erinOldMaster, ...hsFlag(), '--yes'], env());
    assert.equal(noIdentity.code, 1);
    assert.match(noIdentity.stderr, /they have no cross-signing identity to sign/);
    const usage = await cli(['verify-user', id('dave'), ...hsFlag(), '--yes'], env());
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /verify-user needs --master KEY/);
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified', dave: 'not-verified', erin: 'not-verified', frank: 'no-identity' });
  });

  test('verify-user: preview with --dry-run, then the fingerprint read aloud signs their master with my user-signing key', async () => {
    const fingerprint = formatFingerprint(people.dave.keys!.master.publicKey);
    const dry = await cli(['verify-user', id('dave'), '--master', fingerprint, ...hsFlag(), '--dry-run'], env());
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /POST \/_matrix\/client\/v3\/keys\/signatures\/upload/);
    assert.match(dry.stdout, /Dry run: nothing was sent\./);
    assert.equal((await states()).dave, 'not-verified');
    const r = await cli(['verify-user', id('dave'), '--master', fingerprint, ...hsFlag(), '--yes'], env());
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal((await states()).dave, 'verified');
    const again = await cli(['verify-user', id('dave'), '--master', fingerprint, ...hsFlag(), '--yes'], env());
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Nothing to do: you already verified/);
  });

  test('reset --keep-verified all: the people my old user-signing key verified are signed by the new one in the same plan', async () => {
    const r = await cli(['reset', ...hsFlag(), '--keep-verified', 'all', '--password-stdin', '--yes'], env(), `${me.user.password}\n`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Keep .* verified: sign their master keys with the new user-signing key/);
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified', dave: 'verified', erin: 'not-verified', frank: 'no-identity' });
    assert.deepEqual(await sdkSays(), { bob: true, carol: true, dave: true, erin: false, frank: false });
  });

  test('a reset without carry-over, then reverify-users: the chosen person, then everyone eligible; never one whose identity changed', async () => {
    const reset = await cli(['reset', ...hsFlag(), '--password-stdin', '--yes'], env(), `${me.user.password}\n`);
    assert.equal(reset.code, 0, `${reset.stdout}\n${reset.stderr}`);
    assert.deepEqual(await states(), { bob: 'verified-by-replaced-key', carol: 'verified-by-replaced-key', dave: 'verified-by-replaced-key', erin: 'not-verified', frank: 'no-identity' });
    assert.deepEqual(await sdkSays(), { bob: false, carol: false, dave: false, erin: false, frank: false });

    const refused = await cli(['reverify-users', ...hsFlag(), '--users', `${id('bob')},${id('erin')}`, '--yes'], env());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only people verified with your replaced user-signing key, whose master key has not changed since, are verified again: @.* \(not verified by you\)\. Nothing was sent\./);
    assert.equal((await states()).bob, 'verified-by-replaced-key');

    const one = await cli(['reverify-users', ...hsFlag(), '--users', id('bob'), '--yes'], env());
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified-by-replaced-key', dave: 'verified-by-replaced-key', erin: 'not-verified', frank: 'no-identity' });
    const all = await cli(['reverify-users', ...hsFlag(), '--yes'], env());
    assert.equal(all.code, 0, `${all.stdout}\n${all.stderr}`);
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified', dave: 'verified', erin: 'not-verified', frank: 'no-identity' });
    const nothing = await cli(['reverify-users', ...hsFlag(), '--yes'], env());
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /Nothing to do: no one you verified with a replaced user-signing key is left/);
    assert.deepEqual(await sdkSays(), { bob: true, carol: true, dave: true, erin: false, frank: false });
  });

  test('someone the tool saw verified who resets their identity reads identity-changed, in users and in the status verdict', async () => {
    // dave was verified with verify-user above, so the state file remembers his master key.
    const remembered = JSON.parse(readFileSync(DEFAULT_STATE_FILE, 'utf8')) as { accounts: Record<string, Record<string, string>> };
    assert.equal(remembered.accounts[`${me.user.userId} ${hs.baseUrl.toLowerCase()}`]?.[id('dave')], people.dave.keys!.master.publicKey);
    assert.equal(statSync(DEFAULT_STATE_FILE).mode & 0o777, 0o600);
    const ed = await fixtureEd25519();
    const daveKeys = await generateCrossSigningKeys(ed);
    await uploadCrossSigningKeys(people.dave.user, daveKeys, { ed });
    people.dave.keys = daveKeys;
    assert.deepEqual(await states(), { bob: 'verified', carol: 'verified', dave: 'identity-changed', erin: 'not-verified', frank: 'no-identity' });
    const text = await cli(['users', ...hsFlag()], { XSIGN_TOKEN: me.user.accessToken });
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /THEIR IDENTITY CHANGED SINCE YOU VERIFIED THEM \(1\)/);
    assert.match(text.stdout, /1 person you verified now has another identity/);

    // The account itself is healthy; the verdict counts the people problem (exit 1).
    const status = await cli(['status', ...hsFlag(), '--json'], env());
    assert.equal(status.code, 1, status.stderr);
    const report = JSON.parse(status.stdout) as { healthy: boolean; problems: { code: string; count?: number }[] };
    assert.equal(report.healthy, false);
    assert.deepEqual(report.problems.map((p) => [p.code, p.count]), [['users-identity-changed', 1]]);
    const statusText = await cli(['status', ...hsFlag()], env());
    assert.match(statusText.stdout, /\[users-identity-changed\] 1 person you verified now has another identity/);

    // Only the memory can tell: with another (empty) state file dave is simply not verified.
    const fresh = join(mkdtempSync(join(tmpdir(), 'xsign-state-')), 'state.json');
    const elsewhere = await cli(['users', ...hsFlag(), '--json', '--state-file', fresh], { XSIGN_TOKEN: me.user.accessToken });
    assert.equal((JSON.parse(elsewhere.stdout) as UsersReport).users.find((u) => u.userId === id('dave'))?.state, 'not-verified');

    // Verifying his new key by hand replaces the remembered one: verified, and the verdict healthy again.
    const again = await cli(['verify-user', id('dave'), '--master', daveKeys.master.publicKey, ...hsFlag(), '--yes'], env());
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal((await states()).dave, 'verified');
    const healthy = await cli(['status', ...hsFlag(), '--json'], env());
    assert.equal(healthy.code, 0, healthy.stdout);
    assert.deepEqual(await sdkSays(), { bob: true, carol: true, dave: true, erin: false, frank: false });
  });
});
