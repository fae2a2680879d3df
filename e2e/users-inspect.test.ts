// The users report against the real Synapse (docs/matrix-api.md#user-verification): what Synapse
// returns for signatures by a user-signing key that was replaced, and the report's states, counts,
// problems and requests for an account with verified, re-identified, unverified and identity-less
// people around it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  createMatrixClient, inspectAccount, inspectUsers, myKeysFromReport, type RequestReport, type UsersReport,
} from '../src/core/index.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { buildUsersFixture, type UsersFixture } from './harness/users-fixture.ts';
import { callJson } from './harness/users.ts';

type Signed = { signatures?: Record<string, Record<string, string>> };
type KeysQuery = { master_keys?: Record<string, Signed & { keys: Record<string, string> }> };

const statesOf = (r: UsersReport) => Object.fromEntries(r.users.map((u) => [u.userId, u.state]));

describe('users report against Synapse', () => {
  let hs: SynapseInfo;
  let fx: UsersFixture;
  before(async () => {
    hs = await testSynapse();
    fx = await buildUsersFixture(hs);
  });

  test('Synapse keeps signatures by my replaced user-signing key, and files none of mine under a replaced master key', async () => {
    const { people, me, replacedUsk } = fx;
    const q = await callJson<KeysQuery>(hs.baseUrl, 'POST', '/_matrix/client/v3/keys/query', {
      token: me.user.accessToken,
      body: { device_keys: { [people.gina.user.userId]: [], [people.bob.user.userId]: [], [people.dave.user.userId]: [] } },
    });
    const mine = (userId: string) => Object.keys(q.master_keys?.[userId]?.signatures?.[me.user.userId] ?? {}).sort();
    const current = `ed25519:${me.crossSigning!.userSigning.publicKey}`;
    const replaced = `ed25519:${replacedUsk.publicKey}`;
    // gina was signed only by the replaced key: Synapse still returns that signature.
    assert.deepEqual(mine(people.gina.user.userId), [replaced]);
    // bob was signed by both: both are returned.
    assert.deepEqual(mine(people.bob.user.userId), [current, replaced].sort());
    // dave reset his identity after I signed him: his new master key carries nothing of mine.
    assert.deepEqual(mine(people.dave.user.userId), []);
    assert.equal(Object.keys(q.master_keys?.[people.dave.user.userId]?.keys ?? {})[0], `ed25519:${people.dave.keys!.master.publicKey}`);
  });

  test('every state, counts, the problem and its repair; ivan (unencrypted room only) and I are not listed', async () => {
    const requests: RequestReport[] = [];
    const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch, onRequest: (r) => requests.push(r) });
    const report = await inspectUsers(client, { userId: fx.me.user.userId });
    assert.deepEqual(statesOf(report), fx.expected);
    assert.deepEqual(report.counts, { 'verified': 2, 'verified-by-replaced-key': 1, 'identity-changed': 0, 'not-verified': 3, 'no-identity': 1 });
    assert.equal(report.userSigningKey, fx.me.crossSigning!.userSigning.publicKey);
    assert.deepEqual(report.problems.map((p) => [p.code, p.repair, p.count]), [['users-verified-by-replaced-key', 'reverify-users', 1]]);
    assert.match(report.problems[0]!.message, /^1 person you verified is no longer verified because your user-signing key was replaced\.$/);
    const gina = report.users.find((u) => u.userId === fx.people.gina.user.userId)!;
    assert.equal(gina.masterKey, fx.people.gina.keys!.master.publicKey);
    assert.equal(gina.fingerprint!.replace(/ /g, ''), gina.masterKey);
    assert.deepEqual(gina.signatures, [{ keyId: `ed25519:${fx.replacedUsk.publicKey}`, by: 'other-key', result: 'valid' }]);
    assert.deepEqual(report.users.find((u) => u.userId === fx.people.helen.user.userId)!.sources, ['direct']);
    // Synapse leaves the two unencrypted rooms out of the filtered sync altogether.
    assert.equal(report.discovery.roomsReturned, 1);
    assert.equal(report.discovery.encryptedRooms, 1);
    assert.equal(report.discovery.directPartners, 1);

    // Requests: one sync (no timeline), one member list (the encrypted room only), one keys/query.
    const paths = requests.map((r) => new URL(r.url).pathname);
    assert.deepEqual(paths.map((p) => p.replace(/![^/]+/, '!room')), [
      '/_matrix/client/v3/sync', '/_matrix/client/v3/rooms/!room/joined_members', '/_matrix/client/v3/keys/query',
    ]);
    assert.ok(paths[1]!.includes(encodeURIComponent(fx.encryptedRoomId)));
    const filter = JSON.parse(new URL(requests[0]!.url).searchParams.get('filter')!) as { room: { timeline: { limit: number } } };
    assert.equal(filter.room.timeline.limit, 0);
    assert.ok(requests.every((r) => r.status === 200));
  });

  test('with my keys from the account report, the same states and no second keys/query for me', async () => {
    const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch });
    const inspected = await inspectAccount(client, { userId: fx.me.user.userId });
    assert.ok(inspected.ok);
    const keys = myKeysFromReport(inspected.value.report);
    const bodies: unknown[] = [];
    const spy: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/keys/query')) bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const report = await inspectUsers(createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch: spy }),
      { userId: fx.me.user.userId, keys });
    assert.deepEqual(statesOf(report), fx.expected);
    const asked = Object.keys((bodies[0] as { device_keys: object }).device_keys);
    assert.ok(!asked.includes(fx.me.user.userId));
  });

  test('a typed user ID is listed even outside my rooms; a bad one is refused', async () => {
    const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch });
    const report = await inspectUsers(client, { userId: fx.me.user.userId }, { extraUserIds: [fx.ivan.user.userId] });
    const ivan = report.users.find((u) => u.userId === fx.ivan.user.userId)!;
    assert.deepEqual([ivan.state, ivan.sources], ['not-verified', ['typed']]);
    await assert.rejects(inspectUsers(client, { userId: fx.me.user.userId }, { extraUserIds: ['bob'] }), TypeError);
  });

  test('a remembered verified key that differs reads identity-changed (the homeserver alone cannot tell)', async () => {
    const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: fx.me.user.accessToken, fetch });
    const dave = fx.people.dave.user.userId;
    const report = await inspectUsers(client, { userId: fx.me.user.userId }, { previouslyVerified: new Map([[dave, 'oldKeyOfDave']]) });
    assert.equal(report.users.find((u) => u.userId === dave)!.state, 'identity-changed');
    assert.ok(report.problems.some((p) => p.code === 'users-identity-changed' && p.count === 1));
  });
});
