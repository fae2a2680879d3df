// Interop: matrix-js-sdk 43 with its Rust crypto, as a new device of mine given the recovery key
// (e2e/harness/sdk-device.ts), says who is cross-signing verified; the users report must read
// `verified` for exactly those people, and anything else for the others (docs/matrix-api.md#user-verification);
// then, after the tool resets my identity keeping only some people verified and verifies one more
// by hand, the SDK trusts exactly the people it carried over or verified.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createMatrixClient, inspectUsers } from '../src/core/index.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { cli } from './harness/cli-process.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { buildUsersFixture, type UsersFixture } from './harness/users-fixture.ts';

describe('users report agrees with matrix-js-sdk (Rust crypto)', () => {
  let hs: SynapseInfo;
  let fx: UsersFixture;
  before(async () => {
    hs = await testSynapse();
    fx = await buildUsersFixture(hs);
  });

  test('verified for exactly the people the SDK calls cross-signing verified', async () => {
    const report = await inspectUsers(createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch }), { userId: fx.me.user.userId });
    const people = Object.keys(fx.expected);
    const sdk = await sdkCheck(hs, fx.me.user, { recoveryKey: fx.me.secretStorage!.recoveryKey, users: people, timeoutMs: 120_000 });
    assert.equal(sdk.ownIdentityVerified, true, sdk.steps.join('\n'));
    const ours = Object.fromEntries(report.users.map((u) => [u.userId, u.state === 'verified']));
    assert.deepEqual(Object.fromEntries(people.map((u) => [u, sdk.users[u] === true])), ours);
    // The SDK trusts only my current user-signing key: gina (old key only) is not verified there either.
    assert.equal(sdk.users[fx.people.gina.user.userId], false);
    assert.equal(sdk.users[fx.people.alice.user.userId], true);
  });

  test('after a reset that keeps only alice verified and a verify-user of erin, the SDK trusts exactly alice and erin', async () => {
    const env = { XSIGN_TOKEN: fx.me.user.accessToken, XSIGN_RECOVERY_KEY: fx.me.secretStorage!.recoveryKey };
    const { alice, bob, erin } = fx.people;
    const reset = await cli(['reset', '--homeserver', hs.baseUrl, '--keep-verified', alice.user.userId, '--password-stdin', '--yes'], env, `${fx.me.user.password}\n`);
    assert.equal(reset.code, 0, `${reset.stdout}\n${reset.stderr}`);
    assert.match(reset.stdout, new RegExp(`Keep ${alice.user.userId.replace(/[.]/g, '\\.')} verified`));
    const verify = await cli(['verify-user', erin.user.userId, '--master', erin.keys!.master.publicKey, '--homeserver', hs.baseUrl, '--yes'], env);
    assert.equal(verify.code, 0, `${verify.stdout}\n${verify.stderr}`);

    const report = await inspectUsers(createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch }), { userId: fx.me.user.userId });
    const people = Object.keys(fx.expected);
    const states = Object.fromEntries(report.users.map((u) => [u.userId, u.state]));
    assert.equal(states[alice.user.userId], 'verified', 'carried over');
    assert.equal(states[erin.user.userId], 'verified', 'verified by hand');
    assert.equal(states[bob.user.userId], 'verified-by-replaced-key', 'left out of the carry-over');
    const sdk = await sdkCheck(hs, fx.me.user, { recoveryKey: fx.me.secretStorage!.recoveryKey, users: people, timeoutMs: 120_000 });
    assert.equal(sdk.ownIdentityVerified, true, sdk.steps.join('\n'));
    const trusted = people.filter((u) => sdk.users[u] === true).sort();
    assert.deepEqual(trusted, [alice.user.userId, erin.user.userId].sort());
    assert.deepEqual(trusted, report.users.filter((u) => u.state === 'verified').map((u) => u.userId).sort());
  });
});
