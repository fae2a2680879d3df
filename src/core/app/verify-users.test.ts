// verify-user, reverify-users and a reset's keep-verified, prepared through the app layer on a
// Synapse-shaped fixture: whom each signs, with which user-signing key, and every refusal.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { signJson, verifyJsonSignature } from '../signing.ts';
import { ed, healthyView, KEYS_B, RECOVERY_KEY, seed, USER, KEYS_A, type ServerView } from '../inspect/fixture.test.ts';
import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from '../repair/plan-users.ts';
import { UPLOAD_STEP_ID } from '../repair/plan-new-keys.ts';
import { prepareRepair, type PreparedRepair } from './prepare-repair.ts';
import { masterFingerprint } from './prepare-users.ts';
import { describeRefusal, type RepairRefusal, type RepairRequest } from './repair-request.ts';
import { fetchFromView } from './view-fetch.test.ts';

const BOB = '@bob:example.org'; // verified by my current user-signing key
const CAROL = '@carol:example.org'; // verified by my replaced user-signing key (KEYS_B.usk), master unchanged
const DAVE = '@dave:example.org'; // never verified
const ERIN = '@erin:example.org'; // no cross-signing identity
const pub = async (s: Uint8Array): Promise<string> => encodeBase64(await ed.publicKey(s));
const masterOf = async (userId: string, s: Uint8Array) => {
  const p = await pub(s);
  return { user_id: userId, usage: ['master'], keys: { [`ed25519:${p}`]: p } };
};
const bySigner = async (object: Record<string, unknown>, usk: Uint8Array) => signJson(object, { entity: USER, keyId: `ed25519:${await pub(usk)}`, seed: usk }, ed);

let view: ServerView;
const masters: Record<string, string> = {};
before(async () => {
  view = await healthyView();
  const others: Record<string, Record<string, unknown>> = {
    [BOB]: await bySigner(await masterOf(BOB, seed(51)), KEYS_A.usk),
    [CAROL]: await bySigner(await masterOf(CAROL, seed(52)), KEYS_B.usk),
    [DAVE]: await masterOf(DAVE, seed(53)),
  };
  for (const [userId, key] of Object.entries(others)) masters[userId] = Object.values(key.keys as Record<string, string>)[0]!;
  view.keysQuery.master_keys = { ...view.keysQuery.master_keys, ...others };
});

async function prepare(request: RepairRequest) {
  const client = createMatrixClient({ baseUrl: 'https://matrix.example.org', accessToken: 'syt_test', fetch: fetchFromView(view) });
  return prepareRepair(client, { userId: USER, deviceId: 'DEVICEONE' }, request, { recoveryKey: RECOVERY_KEY }, { ed });
}
function planned(r: Awaited<ReturnType<typeof prepare>>): PreparedRepair {
  assert.ok(r.ok, r.ok ? '' : `refused: ${r.error.code} ${r.error.detail}`);
  return r.value;
}
function refused(r: Awaited<ReturnType<typeof prepare>>): RepairRefusal {
  assert.ok(!r.ok, 'expected a refusal');
  return r.error;
}
/** The signed master key of `userId` in a signatures/upload body, and whether `usk` signed it. */
async function signedBy(body: Record<string, unknown>, userId: string, usk: string): Promise<boolean> {
  const object = (body[userId] as Record<string, unknown>)[masters[userId]!];
  return (await verifyJsonSignature(object, USER, `ed25519:${usk}`, decodeBase64(usk), ed)) === 'valid';
}

describe('verify-user', () => {
  it('signs the confirmed master key (typed as a spaced fingerprint) with my user-signing key from secret storage', async () => {
    const p = planned(await prepare({ kind: 'verify-user', userId: DAVE, masterKey: masterFingerprint(masters[DAVE]!) }));
    assert.equal(p.plan.kind, 'verify-user');
    assert.deepEqual(p.plan.steps.map((s) => [s.id, s.request.method, s.request.path]), [[SIGN_USERS_STEP_ID, 'POST', '/_matrix/client/v3/keys/signatures/upload']]);
    const body = p.plan.steps[0]!.request.body;
    assert.deepEqual(Object.keys(body), [DAVE]);
    assert.deepEqual(Object.keys(body[DAVE] as object), [masters[DAVE]]);
    assert.ok(await signedBy(body, DAVE, await pub(KEYS_A.usk)));
    // Their key as received, only my signature added (Synapse compares the rest with what it stored).
    const { signatures, ...rest } = (body[DAVE] as Record<string, Record<string, unknown>>)[masters[DAVE]!]!;
    assert.deepEqual(rest, await masterOf(DAVE, seed(53)));
    assert.deepEqual(Object.keys(signatures as object), [USER]);
    p.dispose();
  });

  it('refuses a master key other than the published one, in words that say nothing was sent', async () => {
    const r = refused(await prepare({ kind: 'verify-user', userId: DAVE, masterKey: masters[BOB]! }));
    assert.equal(r.code, 'master-key-differs');
    const text = describeRefusal(r, { name: 'cli', verb: 'verify-user' });
    assert.match(text, /^refusing to verify @dave:example\.org: the master key you confirmed is not the one the homeserver publishes for them/);
    assert.match(text, /Nothing was sent\.$/);
  });

  it('refuses someone without a cross-signing identity, and says when there is nothing to do', async () => {
    assert.equal(refused(await prepare({ kind: 'verify-user', userId: ERIN, masterKey: masters[DAVE]! })).code, 'no-identity');
    assert.equal(refused(await prepare({ kind: 'verify-user', userId: BOB, masterKey: masters[BOB]! })).code, 'nothing-to-do');
  });
});

describe('reverify-users', () => {
  it('signs again only people my replaced user-signing key had signed', async () => {
    const p = planned(await prepare({ kind: 'reverify-users', userIds: [CAROL] }));
    const body = p.plan.steps[0]!.request.body;
    assert.deepEqual(Object.keys(body), [CAROL]);
    assert.ok(await signedBy(body, CAROL, await pub(KEYS_A.usk)));
    p.dispose();
  });

  it('refuses a chosen person who is not in that state, naming their state', async () => {
    const r = refused(await prepare({ kind: 'reverify-users', userIds: [CAROL, DAVE, BOB] }));
    assert.equal(r.code, 'not-eligible');
    assert.match(r.detail ?? '', /@dave:example\.org \(not verified by you\), @bob:example\.org \(verified with your current user-signing key\)/);
  });
});

describe('keep-verified in a reset', () => {
  it('appends one signatures upload after the key upload, signed with the NEW user-signing key', async () => {
    const p = planned(await prepare({ kind: 'reset-cross-signing', keepVerified: [BOB] }));
    const last = p.plan.steps.at(-1)!;
    assert.equal(last.id, KEEP_VERIFIED_STEP_ID);
    assert.deepEqual(last.requires, [UPLOAD_STEP_ID]);
    assert.ok(p.plan.steps.findIndex((s) => s.id === UPLOAD_STEP_ID) < p.plan.steps.length - 1);
    assert.ok(await signedBy(last.request.body, BOB, p.plan.publicKeys.userSigning!));
    p.dispose();
  });

  it('refuses to keep someone my current key has not verified', async () => {
    const r = refused(await prepare({ kind: 'reset-cross-signing', keepVerified: [CAROL] }));
    assert.equal(r.code, 'not-eligible');
  });

  it('without keepVerified the reset plan has no such step', async () => {
    const p = planned(await prepare({ kind: 'reset-cross-signing' }));
    assert.ok(p.plan.steps.every((s) => s.id !== KEEP_VERIFIED_STEP_ID));
    p.dispose();
  });

  it('regenerating the user-signing key keeps the chosen people too', async () => {
    const p = planned(await prepare({ kind: 'regenerate-subkeys', selfSigning: false, userSigning: true, keepVerified: [BOB] }));
    const last = p.plan.steps.at(-1)!;
    assert.equal(last.id, KEEP_VERIFIED_STEP_ID);
    assert.ok(await signedBy(last.request.body, BOB, p.plan.publicKeys.userSigning!));
    p.dispose();
  });
});
