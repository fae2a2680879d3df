import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { generateCrossSigningKeys, type GeneratedCrossSigningKeys } from './keys.ts';
import { validateManualUpload, type ManualUploadProblem } from './manual-upload.ts';

const ALICE = '@alice:example.org';
const ed = nobleEd25519;
let fresh: GeneratedCrossSigningKeys;
let other: GeneratedCrossSigningKeys;
before(async () => {
  fresh = await generateCrossSigningKeys(ALICE, ed);
  other = await generateCrossSigningKeys(ALICE, ed);
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const all = () => ({ master: clone(fresh.master.key), selfSigning: clone(fresh.selfSigning.key), userSigning: clone(fresh.userSigning.key) });

async function problems(input: unknown, current: { masterPublicKey?: string } = {}): Promise<ManualUploadProblem[]> {
  const r = await validateManualUpload(input, { userId: ALICE, ...current }, ed);
  assert.ok(!r.ok, 'expected a failure');
  return r.error;
}
const codes = (ps: ManualUploadProblem[]) => ps.map((p) => `${p.field}:${p.code}`);

describe('validateManualUpload', () => {
  it('accepts a complete new identity with matching seeds', async () => {
    const r = await validateManualUpload({ ...all(), seeds: { master: encodeBase64(fresh.master.seed), selfSigning: `${encodeBase64(fresh.selfSigning.seed)}=` } },
      { userId: ALICE, masterPublicKey: other.master.publicKey }, ed);
    assert.ok(r.ok);
    assert.equal(r.value.replacesMaster, true);
    assert.deepEqual(Object.keys(r.value.body), ['master_key', 'self_signing_key', 'user_signing_key']);
    assert.deepEqual(r.value.seeds.master, fresh.master.seed);
    assert.deepEqual(r.value.publicKeys, { master: fresh.master.publicKey, selfSigning: fresh.selfSigning.publicKey, userSigning: fresh.userSigning.publicKey });
  });

  it('accepts subkeys alone when signed by the current master', async () => {
    const r = await validateManualUpload({ selfSigning: clone(fresh.selfSigning.key) }, { userId: ALICE, masterPublicKey: fresh.master.publicKey }, ed);
    assert.ok(r.ok);
    assert.equal(r.value.replacesMaster, false);
  });

  it('rejects non-objects, unknown fields (including __proto__) and empty input', async () => {
    assert.deepEqual(codes(await problems('x')), ['input:not-object']);
    assert.deepEqual(codes(await problems({})), ['input:empty']);
    assert.deepEqual(codes(await problems(JSON.parse(`{"__proto__": {"polluted": true}, "userSigning": ${JSON.stringify(fresh.userSigning.key)}}`), { masterPublicKey: fresh.master.publicKey })), ['input:unknown-field']);
    const extra = all() as Record<string, unknown>;
    (extra['master'] as Record<string, unknown>)['unsigned'] = {};
    assert.deepEqual(codes(await problems(extra)), ['master:unknown-field']);
  });

  it('rejects a wrong user_id and wrong usage', async () => {
    const a = all();
    a.master.user_id = '@mallory:example.org';
    assert.deepEqual(codes(await problems(a)), ['master:user-id']);
    const b = all();
    b.selfSigning.usage = ['user_signing'];
    assert.deepEqual(codes(await problems(b)), ['selfSigning:usage']);
    const c = all();
    c.userSigning.usage = ['user_signing', 'self_signing'];
    assert.deepEqual(codes(await problems(c)), ['userSigning:usage']);
    const d = all() as unknown as { master: { usage: unknown } };
    d.master.usage = 'master';
    assert.deepEqual(codes(await problems(d)), ['master:usage']);
  });

  it('rejects keys that are not exactly one ed25519:<pub> = <pub> of 32 bytes', async () => {
    const pub = fresh.master.publicKey;
    const cases: Record<string, string>[] = [
      {}, { [`ed25519:${pub}`]: pub, 'ed25519:x': 'x' }, { [`curve25519:${pub}`]: pub },
      { 'ed25519:other': pub }, { 'ed25519:AAAA': 'AAAA' }, { [`ed25519:${pub}=`]: `${pub}=` },
    ];
    for (const keys of cases) {
      const a = all();
      a.master.keys = keys;
      assert.deepEqual(codes(await problems(a)), ['master:keys'], JSON.stringify(keys));
    }
  });

  it('rejects subkeys not signed, or badly signed, by the accompanying master', async () => {
    const a = all();
    delete a.selfSigning.signatures;
    assert.deepEqual(codes(await problems(a)), ['selfSigning:unsigned']);
    const b = all();
    b.userSigning = clone(other.userSigning.key); // signed by another master
    assert.deepEqual(codes(await problems(b)), ['userSigning:unsigned']);
    const c = all();
    c.selfSigning.signatures![ALICE]![`ed25519:${fresh.master.publicKey}`] = encodeBase64(new Uint8Array(64));
    assert.deepEqual(codes(await problems(c)), ['selfSigning:bad-signature']);
    const d = all();
    d.selfSigning.usage = ['self_signing', 'org.example.extra']; // tolerated by Synapse, but not signed that way
    assert.deepEqual(codes(await problems(d)), ['selfSigning:bad-signature']);
  });

  it('rejects subkeys checked against the current master when they were signed by another one', async () => {
    assert.deepEqual(codes(await problems({ selfSigning: clone(fresh.selfSigning.key) }, { masterPublicKey: other.master.publicKey })), ['selfSigning:unsigned']);
  });

  it('rejects subkeys when there is no master at all', async () => {
    assert.deepEqual(codes(await problems({ userSigning: clone(fresh.userSigning.key) })), ['userSigning:no-master']);
  });

  it('rejects a new master without both subkeys', async () => {
    assert.deepEqual(codes(await problems({ master: clone(fresh.master.key), selfSigning: clone(fresh.selfSigning.key) }, { masterPublicKey: other.master.publicKey })),
      ['master:incomplete-replacement']);
  });

  it('rejects malformed seeds, seeds of other keys and seeds without a key', async () => {
    assert.deepEqual(codes(await problems({ ...all(), seeds: { master: 'not base64!' } })), ['seeds.master:seed']);
    assert.deepEqual(codes(await problems({ ...all(), seeds: { master: encodeBase64(new Uint8Array(16)) } })), ['seeds.master:seed']);
    assert.deepEqual(codes(await problems({ ...all(), seeds: { selfSigning: encodeBase64(fresh.userSigning.seed) } })), ['seeds.selfSigning:seed-mismatch']);
    assert.deepEqual(codes(await problems({ selfSigning: clone(fresh.selfSigning.key), seeds: { userSigning: encodeBase64(fresh.userSigning.seed) } }, { masterPublicKey: fresh.master.publicKey })),
      ['seeds.userSigning:seed-without-key']);
    assert.deepEqual(codes(await problems({ ...all(), seeds: { other: 'x' } })), ['input:unknown-field']);
    assert.deepEqual(codes(await problems({ ...all(), seeds: 'x' })), ['input:seed']);
  });

  it('reports every problem at once', async () => {
    const a = all();
    a.master.user_id = 'nobody';
    a.userSigning.usage = [];
    assert.deepEqual(codes(await problems({ ...a, seeds: { selfSigning: 'AAAA' } })), ['master:user-id', 'userSigning:usage', 'seeds.selfSigning:seed']);
  });
});
