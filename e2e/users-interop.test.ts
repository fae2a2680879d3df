// Interop: matrix-js-sdk 43 with its Rust crypto, as a new device of mine given the recovery key
// (e2e/harness/sdk-device.ts), says who is cross-signing verified; the users report must read
// `verified` for exactly those people, and anything else for the others (docs/matrix-api.md#user-verification).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createMatrixClient, inspectUsers } from '../src/core/index.ts';
import { sdkCheck } from './harness/sdk-device.ts';
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
});
