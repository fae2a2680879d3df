// `xsign-doctor users` end to end: the CLI as a subprocess against the users fixture on the real
// Synapse (verified people, one verified only by my replaced user-signing key, one who reset their
// identity, one never verified, one without identity), in JSON and text, with exit codes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { cli } from './harness/cli-process.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { buildUsersFixture, type UsersFixture } from './harness/users-fixture.ts';

interface JsonUsers {
  users: { userId: string; masterKey: string | null; state: string; fingerprint: string | null }[];
  counts: Record<string, number>;
  problems: { code: string; repair?: string; count?: number; message: string }[];
}

describe('xsign-doctor users against Synapse', () => {
  let hs: SynapseInfo;
  let fx: UsersFixture;
  before(async () => {
    hs = await testSynapse();
    fx = await buildUsersFixture(hs);
  });

  test('--json lists each user with userId, masterKey and state; exit 1 for people verified by a replaced key', async () => {
    const r = await cli(['users', '--homeserver', hs.baseUrl, '--json'], { XSIGN_TOKEN: fx.me.user.accessToken });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as JsonUsers;
    assert.deepEqual(Object.fromEntries(report.users.map((u) => [u.userId, u.state])), fx.expected);
    for (const [name, p] of Object.entries(fx.people)) {
      const u = report.users.find((x) => x.userId === p.user.userId)!;
      assert.equal(u.masterKey, p.keys?.master.publicKey ?? null, name);
    }
    assert.deepEqual(report.problems.map((p) => [p.code, p.repair, p.count]), [['users-verified-by-replaced-key', 'reverify-users', 1]]);
  });

  test('--user adds people outside my rooms (repeated and comma-separated); a bad ID is a usage error', async () => {
    const env = { XSIGN_TOKEN: fx.me.user.accessToken };
    const r = await cli(['users', '--homeserver', hs.baseUrl, '--json', '--user', fx.ivan.user.userId, `--user=${fx.people.alice.user.userId},${fx.ivan.user.userId}`], env);
    const report = JSON.parse(r.stdout) as JsonUsers;
    assert.equal(report.users.find((u) => u.userId === fx.ivan.user.userId)?.state, 'not-verified');
    assert.equal(report.users.length, Object.keys(fx.expected).length + 1);
    const bad = await cli(['users', '--homeserver', hs.baseUrl, '--user', 'bob'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a user ID/);
  });

  test('text output is grouped by state, with fingerprints and the repair', async () => {
    const r = await cli(['users', '--homeserver', hs.baseUrl], { XSIGN_TOKEN: fx.me.user.accessToken });
    assert.equal(r.code, 1);
    const headings = r.stdout.split('\n').filter((l) => /^[A-Z][A-Z -]+ \(\d+\)$/.test(l));
    assert.deepEqual(headings, [
      'VERIFIED (2)', 'VERIFIED WITH YOUR REPLACED USER-SIGNING KEY (1)', 'NOT VERIFIED (3)', 'NO CROSS-SIGNING IDENTITY (1)',
    ]);
    const gina = fx.people.gina;
    const at = r.stdout.indexOf(gina.user.userId);
    assert.ok(at > r.stdout.indexOf('VERIFIED WITH YOUR REPLACED') && at < r.stdout.indexOf('NOT VERIFIED ('));
    assert.ok(r.stdout.includes(gina.keys!.master.publicKey.replace(/(.{4})/g, '$1 ').trim()));
    assert.match(r.stdout, /homeserver vouches/);
    assert.match(r.stdout, /1 person you verified is no longer verified because your user-signing key was replaced\. \[repair: reverify-users\]/);
  });

  test('status --diagnostic counts the users per state and names none of them', async () => {
    const r = await cli(['status', '--homeserver', hs.baseUrl, '--diagnostic'], { XSIGN_TOKEN: fx.me.user.accessToken });
    // The account is healthy; gina, verified only by my replaced user-signing key, counts in the verdict.
    assert.equal(r.code, 1, r.stderr);
    const data = JSON.parse(r.stdout) as { users?: { counts: Record<string, number>; problems: { code: string; count?: number }[] } };
    assert.deepEqual(data.users, {
      counts: { 'verified': 2, 'verified-by-replaced-key': 1, 'identity-changed': 0, 'not-verified': 3, 'no-identity': 1 },
      problems: [{ code: 'users-verified-by-replaced-key', count: 1 }],
    });
    for (const p of [...Object.values(fx.people), fx.ivan]) {
      assert.ok(!r.stdout.includes(p.user.userId), `the diagnostic names ${p.user.userId}`);
      assert.ok(!r.stdout.includes(p.user.localpart));
    }
  });

  test('an account whose verifications are all current exits 0; no verified users is still healthy', async () => {
    // ivan's own account: only an unencrypted room, nobody verified. Nothing to report is no problem.
    const r = await cli(['users', '--homeserver', hs.baseUrl, '--json'], { XSIGN_TOKEN: fx.ivan.user.accessToken });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as JsonUsers;
    assert.deepEqual(report.problems, []);
  });
});
