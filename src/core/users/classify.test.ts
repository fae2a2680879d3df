import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { signJson } from '../signing.ts';
import { classifyUser, MAX_SIGNATURES_CHECKED } from './classify.ts';
import { fingerprintToKey, formatFingerprint } from './fingerprint.ts';
import type { MyKeys } from './types.ts';

const ed = nobleEd25519;
const ME = '@me:example.org';
const BOB = '@bob:example.org';
const seed = (n: number) => new Uint8Array(32).fill(n);
const pub = async (n: number) => encodeBase64(await ed.publicKey(seed(n)));

async function keys(): Promise<MyKeys> {
  return { masterKey: await pub(1), selfSigningKey: await pub(2), userSigningKey: await pub(3) };
}
async function bobMaster(n = 10): Promise<Record<string, unknown>> {
  const key = await pub(n);
  return { user_id: BOB, usage: ['master'], keys: { [`ed25519:${key}`]: key } };
}
async function signedBy(object: Record<string, unknown>, n: number, entity = ME): Promise<Record<string, unknown>> {
  return signJson(object, { entity, keyId: `ed25519:${await pub(n)}`, seed: seed(n) }, ed);
}
const classify = async (master: unknown, extra: Record<string, unknown> = {}) =>
  classifyUser({ userId: BOB, master, sources: ['typed'], ...extra }, { userId: ME, keys: await keys() }, ed);

describe('classifyUser', () => {
  it('verified: a valid signature by my current user-signing key', async () => {
    const u = await classify(await signedBy(await bobMaster(), 3));
    assert.equal(u.state, 'verified');
    assert.equal(u.masterKey, await pub(10));
    assert.deepEqual(u.signatures.map((s) => [s.by, s.result]), [['current-user-signing-key', 'valid']]);
  });

  it('verified-by-replaced-key: valid with the key its ID names, which is not my current one', async () => {
    const u = await classify(await signedBy(await bobMaster(), 4));
    assert.equal(u.state, 'verified-by-replaced-key');
    assert.deepEqual(u.signatures.map((s) => [s.by, s.result]), [['other-key', 'valid']]);
  });

  it('current beats replaced when both sign', async () => {
    const u = await classify(await signedBy(await signedBy(await bobMaster(), 4), 3));
    assert.equal(u.state, 'verified');
  });

  it('not-verified: no signature of mine (a signature by someone else does not count)', async () => {
    assert.equal((await classify(await bobMaster())).state, 'not-verified');
    const u = await classify(await signedBy(await bobMaster(), 3, '@mallory:example.org'));
    assert.equal(u.state, 'not-verified');
    assert.deepEqual(u.signatures, []);
  });

  it('no-identity: no master key; a failed server or unreadable key is not called no-identity', async () => {
    assert.equal((await classify(undefined)).state, 'no-identity');
    const failed = await classify(undefined, { serverFailed: true });
    assert.equal(failed.state, 'not-verified');
    assert.match(failed.note ?? '', /did not answer/);
    const unreadable = await classify(undefined, { masterUnreadable: 'usage is not an array of strings' });
    assert.equal(unreadable.state, 'not-verified');
  });

  it('identity-changed: only when a remembered verified key differs from the published one', async () => {
    const u = await classify(await bobMaster(11), { previouslyVerified: await pub(10) });
    assert.equal(u.state, 'identity-changed');
    assert.equal(u.previousMasterKey, await pub(10));
    assert.equal((await classify(await bobMaster(10), { previouslyVerified: await pub(10) })).state, 'not-verified');
  });

  describe('hostile input', () => {
    it('a tampered master key (signature no longer covers it) is not verified, and says why', async () => {
      const signed = await signedBy(await bobMaster(), 3);
      const u = await classify({ ...signed, usage: ['master', 'extra'] });
      assert.equal(u.state, 'not-verified');
      assert.deepEqual(u.signatures.map((s) => s.result), ['invalid']);
      assert.match(u.note ?? '', /does not verify/);
    });

    it('a signature filed under my current key ID but made by another key is invalid, not replaced', async () => {
      const signed = await signedBy(await bobMaster(), 4);
      const sig = Object.values((signed['signatures'] as Record<string, Record<string, string>>)[ME]!)[0]!;
      const forged = { ...(await bobMaster()), signatures: { [ME]: { [`ed25519:${await pub(3)}`]: sig } } };
      const u = await classify(forged);
      assert.equal(u.state, 'not-verified');
      assert.deepEqual(u.signatures.map((s) => [s.by, s.result]), [['current-user-signing-key', 'invalid']]);
    });

    it('wrong key IDs: device IDs, other algorithms, short keys and my master/self-signing keys are unverifiable', async () => {
      const signedByMaster = await signedBy(await bobMaster(), 1);
      const signedBySsk = await signedBy(await bobMaster(), 2);
      for (const master of [signedByMaster, signedBySsk]) {
        const u = await classify(master);
        assert.equal(u.state, 'not-verified');
        assert.deepEqual(u.signatures.map((s) => s.result), ['unverifiable']);
      }
      const odd = { ...(await bobMaster()), signatures: { [ME]: { 'ed25519:DEVICEID': 'AAAA', 'curve25519:x': 'AAAA', 'ed25519:': 'x', 'ed25519:AAAA': 'x' } } };
      const u = await classify(odd);
      assert.equal(u.state, 'not-verified');
      assert.ok(u.signatures.every((s) => s.result === 'unverifiable'));
    });

    it('malformed signatures (not base64, wrong length, not a string) are invalid, never a throw', async () => {
      const other = await pub(4);
      for (const value of ['!!!', 'AAAA', 42, null, { a: 1 }]) {
        const master = { ...(await bobMaster()), signatures: { [ME]: { [`ed25519:${other}`]: value } } };
        const u = await classify(master);
        assert.equal(u.state, 'not-verified');
        assert.deepEqual(u.signatures.map((s) => s.result), ['invalid']);
      }
    });

    it('malformed JSON for the master key or its signatures never throws', async () => {
      const cases: unknown[] = [
        null, 42, 'key', [], {}, { user_id: BOB }, { user_id: BOB, usage: 'master', keys: {} },
        { ...(await bobMaster()), user_id: '@alice:example.org' },
        { ...(await bobMaster()), usage: ['self_signing'] },
        { ...(await bobMaster()), keys: { 'ed25519:a': 'b' } },
        { ...(await bobMaster()), keys: { 'ed25519:AAAA': 'AAAA' } },
        { ...(await bobMaster()), keys: { [`ed25519:${await pub(10)}`]: await pub(10), [`ed25519:${await pub(11)}`]: await pub(11) } },
        { ...(await bobMaster()), signatures: 'x' }, { ...(await bobMaster()), signatures: { [ME]: 'x' } },
        { ...(await bobMaster()), signatures: { [ME]: [] } },
        JSON.parse(`{"user_id":"${BOB}","usage":["master"],"keys":{},"__proto__":{"x":1}}`),
      ];
      for (const master of cases) {
        const u = await classify(master);
        assert.equal(u.state, 'not-verified', JSON.stringify(master));
      }
      const u = await classify(cases[1]);
      assert.equal(u.masterKey, null);
      assert.ok(u.note);
    });

    it(`checks at most ${MAX_SIGNATURES_CHECKED} signatures of mine`, async () => {
      const many: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) many[`ed25519:${i}`] = 'AAAA';
      const u = await classify({ ...(await bobMaster()), signatures: { [ME]: many } });
      assert.equal(u.signatures.length, MAX_SIGNATURES_CHECKED);
      assert.equal(u.state, 'not-verified');
    });

    it('keeps the master key exactly as received (never mutated)', async () => {
      const master = await signedBy(await bobMaster(), 3);
      const before = JSON.stringify(master);
      await classify(master);
      assert.equal(JSON.stringify(master), before);
    });
  });
});

describe('fingerprint', () => {
  it('groups the key by four characters and back, nothing lost', async () => {
    const key = await pub(10);
    const f = formatFingerprint(key);
    assert.match(f, /^(\S{4} )+\S{1,4}$/);
    assert.equal(fingerprintToKey(f), key);
    assert.equal(fingerprintToKey(` ${f}\n`), key);
  });
});
