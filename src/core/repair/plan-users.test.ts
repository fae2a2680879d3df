// The plan builders that sign other people's master keys: the body Synapse's
// `_process_other_signatures` accepts (docs/matrix-api.md#signatures-upload) and what they refuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 as ed } from '../ed25519.ts';
import { signJson } from '../signing.ts';
import { generateCrossSigningKeys } from './keys.ts';
import { KEEP_VERIFIED_STEP_ID, keepVerifiedStep, planSignUsers, SIGN_USERS_STEP_ID } from './plan-users.ts';
import { UPLOAD_STEP_ID } from './plan-new-keys.ts';
import { signMasterKeys } from './user-signing.ts';

const ME = '@alice:example.org';
const BOB = '@bob:example.org';
const s = (n: number) => new Uint8Array(32).fill(n);
const bobMaster = async () => {
  const p = encodeBase64(await ed.publicKey(s(7)));
  const key = { user_id: BOB, usage: ['master'], keys: { [`ed25519:${p}`]: p } };
  return { p, key: { ...(await signJson(key, { entity: BOB, keyId: 'ed25519:BOBDEVICE', seed: s(8) }, ed)), unsigned: { note: 'x' } } };
};

describe('signMasterKeys', () => {
  it('keys the entry by the unpadded public key, keeps their signatures, drops unsigned, adds mine', async () => {
    const { p, key } = await bobMaster();
    const usk = { seed: s(3), publicKey: encodeBase64(await ed.publicKey(s(3))) };
    const r = await signMasterKeys(ME, [{ userId: BOB, masterKey: key }], usk, ed);
    assert.ok(r.ok);
    const signed = r.value.body[BOB]![p]! as unknown as Record<string, unknown>;
    assert.equal('unsigned' in signed, false);
    assert.deepEqual(Object.keys(signed.signatures as object).sort(), [BOB, ME].sort());
    assert.deepEqual(Object.keys((signed.signatures as Record<string, object>)[ME]!), [`ed25519:${usk.publicKey}`]);
    assert.deepEqual(r.value.signed, [{ userId: BOB, masterKey: p }]);
  });

  it('refuses my own master, a person listed twice, a malformed or someone else\'s master, and an empty list', async () => {
    const { key } = await bobMaster();
    const usk = { seed: s(3), publicKey: encodeBase64(await ed.publicKey(s(3))) };
    const codes = async (users: { userId: string; masterKey: unknown }[]) => {
      const r = await signMasterKeys(ME, users, usk, ed);
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(await codes([{ userId: ME, masterKey: key }]), 'bad-input');
    assert.equal(await codes([{ userId: BOB, masterKey: key }, { userId: BOB, masterKey: key }]), 'bad-input');
    assert.equal(await codes([{ userId: BOB, masterKey: { ...key, usage: ['self_signing'] } }]), 'bad-input');
    assert.equal(await codes([{ userId: '@carol:example.org', masterKey: key }]), 'bad-input');
    assert.equal(await codes([]), 'nothing-to-do');
  });
});

describe('planSignUsers / keepVerifiedStep', () => {
  it('refuses a user-signing seed that is not the published key (Synapse would reject every signature)', async () => {
    const keys = await generateCrossSigningKeys(ME, ed);
    const { key } = await bobMaster();
    const r = await planSignUsers({ kind: 'verify-user', userId: ME, userSigningSeed: s(99), publishedUserSigningKey: keys.userSigning.key, users: [{ userId: BOB, masterKey: key }], ed });
    assert.ok(!r.ok && r.error.code === 'seed-mismatch');
    const good = await planSignUsers({ kind: 'verify-user', userId: ME, userSigningSeed: keys.userSigning.seed, publishedUserSigningKey: keys.userSigning.key, users: [{ userId: BOB, masterKey: key }], ed });
    assert.ok(good.ok);
    assert.deepEqual(good.value.steps.map((x) => [x.id, x.requires]), [[SIGN_USERS_STEP_ID, []]]);
    assert.equal(good.value.safeguard, 'not-applicable');
  });

  it('the carry-over step runs after the upload and is absent for no one', async () => {
    const keys = await generateCrossSigningKeys(ME, ed);
    const { key } = await bobMaster();
    const step = await keepVerifiedStep(ME, [{ userId: BOB, masterKey: key }], keys.userSigning, ed);
    assert.ok(step.ok && step.value !== undefined);
    assert.equal(step.value.id, KEEP_VERIFIED_STEP_ID);
    assert.deepEqual(step.value.requires, [UPLOAD_STEP_ID]);
    const none = await keepVerifiedStep(ME, [], keys.userSigning, ed);
    assert.ok(none.ok && none.value === undefined);
  });
});
