import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { canonicalJson, CanonicalJsonError } from './canonical-json.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { nobleEd25519, webCryptoEd25519 } from './ed25519.ts';
import type { Ed25519 } from './ed25519.ts';
import { signingBytes, signJson, verifyJsonSignature } from './signing.ts';
import type { SignatureCheck } from './signing.ts';

interface SpecSigningVectors {
  seed: string;
  seedHex: string;
  publicKey: string;
  entity: string;
  keyId: string;
  cases: { input: string; output: string }[];
}
interface SignedJsonVectors {
  _comment: string;
  cases: {
    name: string;
    signer: { entity: string; keyId: string; role: string; seed: string; publicKey: string };
    input: Record<string, unknown>;
    canonical: string;
    signature: string;
    signed: Record<string, unknown>;
  }[];
}
const loadJson = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));
const spec = loadJson('spec-signing.json') as SpecSigningVectors;
const fixtures = loadJson('signed-json.json') as SignedJsonVectors;

const backends: Ed25519[] = [nobleEd25519, webCryptoEd25519()];
const seed = decodeBase64(spec.seed);
const publicKey = decodeBase64(spec.publicKey);
const signer = { entity: spec.entity, keyId: spec.keyId, seed };
const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('signingBytes', () => {
  it('drops signatures and unsigned, then canonicalises', () => {
    const bytes = signingBytes({ b: 1, signatures: { x: { y: 'z' } }, unsigned: { age: 1.5 }, a: 'é' });
    assert.equal(utf8(bytes), '{"a":"é","b":1}');
  });
  it('drops only top-level signatures/unsigned', () => {
    assert.equal(utf8(signingBytes({ nested: { signatures: 1, unsigned: 2 } })), '{"nested":{"signatures":1,"unsigned":2}}');
  });
  it('is UTF-8', () => {
    assert.deepEqual([...signingBytes({ k: '\u{1f600}' })].slice(6, 10), [0xf0, 0x9f, 0x98, 0x80]);
  });
  it('rejects non-objects and non-plain objects with TypeError', () => {
    for (const bad of [null, [], 'x', 1, new Date(0), new Map()]) {
      assert.throws(() => signingBytes(bad as object), TypeError);
    }
  });
  it('rejects uncanonicalisable members with CanonicalJsonError', () => {
    assert.throws(() => signingBytes({ a: 0.5 }), CanonicalJsonError);
  });
});

for (const ed of backends) {
  describe(`signing (${ed.name})`, () => {
    describe('spec vectors (appendices §Cryptographic Test Vectors; docs/matrix-api.md#spec-signing-vectors)', () => {
      it('decodes the lenient seed', () => {
        assert.equal(Buffer.from(seed).toString('hex'), spec.seedHex);
      });
      for (const { input, output } of spec.cases) {
        it(`signs ${input}`, async () => {
          const signed = await signJson(JSON.parse(input) as object, signer, ed);
          assert.equal(canonicalJson(signed), output);
        });
        it(`verifies ${input}`, async () => {
          assert.equal(await verifyJsonSignature(JSON.parse(output), spec.entity, spec.keyId, publicKey, ed), 'valid');
        });
      }
    });

    describe(`Python fixtures (${fixtures._comment.slice(0, 20)}…)`, () => {
      for (const c of fixtures.cases) {
        it(c.name, async () => {
          const { entity, keyId } = c.signer;
          const fixtureSeed = decodeBase64(c.signer.seed);
          const fixtureKey = decodeBase64(c.signer.publicKey);
          assert.equal(encodeBase64(await ed.publicKey(fixtureSeed)), c.signer.publicKey);
          assert.equal(utf8(signingBytes(c.input)), c.canonical);

          const inputBefore = structuredClone(c.input);
          const signed = await signJson(c.input, { entity, keyId, seed: fixtureSeed }, ed);
          assert.deepEqual(c.input, inputBefore, 'input not mutated');
          assert.equal(signed.signatures[entity]?.[keyId], c.signature);
          assert.equal(canonicalJson(signed), canonicalJson(c.signed));
          assert.deepEqual(signed['unsigned'], c.input['unsigned']);

          assert.equal(await verifyJsonSignature(c.signed, entity, keyId, fixtureKey, ed), 'valid');
          assert.equal(await verifyJsonSignature(signed, entity, keyId, fixtureKey, ed), 'valid');
        });
      }
    });

    it('keeps and still verifies the existing signatures of the fixtures', async () => {
      const byRole = new Map(fixtures.cases.map((c) => [c.signer.role, c.signer]));
      const master = fixtures.cases.find((c) => c.name.startsWith('master key with two existing'))!;
      const device = byRole.get('device')!;
      const masterSigner = byRole.get('master')!;
      const existing = master.input['signatures'] as Record<string, Record<string, string>>;
      assert.equal(Object.keys(existing['@alice:example.org']!).length, 2);
      const signed = await signJson(master.input, { entity: master.signer.entity, keyId: master.signer.keyId, seed: decodeBase64(master.signer.seed) }, ed);
      assert.deepEqual(signed.signatures['@alice:example.org'], existing['@alice:example.org']);
      assert.equal(await verifyJsonSignature(signed, '@alice:example.org', 'ed25519:xyz', decodeBase64(device.publicKey), ed), 'valid');
      assert.equal(await verifyJsonSignature(signed, '@alice:example.org', masterSigner.keyId, decodeBase64(masterSigner.publicKey), ed), 'valid');
    });

    describe('signJson', () => {
      it('adds to other signatures of the same entity and replaces its own', async () => {
        const object = deepFreeze({
          a: 1,
          signatures: { domain: { 'ed25519:other': 'keep me' }, '@x:y': { 'ed25519:z': 'and me' } },
          unsigned: { note: 'kept' },
        });
        const once = await signJson(object, signer, ed);
        assert.deepEqual(Object.keys(once.signatures).sort(), ['@x:y', 'domain']);
        assert.equal(once.signatures['domain']!['ed25519:other'], 'keep me');
        assert.equal(once.signatures['@x:y']!['ed25519:z'], 'and me');
        assert.deepEqual(once.unsigned, { note: 'kept' });
        const twice = await signJson(once, signer, ed);
        assert.deepEqual(twice, once, 're-signing is stable');
      });

      it('does not mutate a deeply frozen input and returns a new object', async () => {
        const object = deepFreeze({ a: [1, { b: 2 }], signatures: { domain: {} }, unsigned: { c: 3 } });
        const signed = await signJson(object, signer, ed);
        assert.notEqual(signed, object);
        assert.notEqual(signed.signatures, object.signatures);
        assert.deepEqual(object.signatures, { domain: {} });
      });

      it('excludes unsigned from what is signed', async () => {
        const a = await signJson({ x: 1, unsigned: { n: 1 } }, signer, ed);
        const b = await signJson({ x: 1, unsigned: { n: 2, float: 0.5 } }, signer, ed);
        assert.equal(a.signatures['domain']![spec.keyId], b.signatures['domain']![spec.keyId]);
        assert.equal(await verifyJsonSignature({ ...a, unsigned: 'anything' }, spec.entity, spec.keyId, publicKey, ed), 'valid');
      });

      it('treats "__proto__" entities and keys as plain data', async () => {
        const object = JSON.parse('{"__proto__":{"polluted":true},"signatures":{"__proto__":{"ed25519:a":"b"}}}') as object;
        const signed = await signJson(object, { ...signer, entity: '__proto__' }, ed);
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        assert.equal(Object.getPrototypeOf(signed.signatures), Object.prototype);
        assert.deepEqual(Object.keys(signed.signatures['__proto__']!).sort(), ['ed25519:1', 'ed25519:a']);
        assert.equal(await verifyJsonSignature(signed, '__proto__', spec.keyId, publicKey, ed), 'valid');
      });

      it('throws on programmer errors', async () => {
        await assert.rejects(signJson([] as unknown as object, signer, ed), TypeError);
        await assert.rejects(signJson({ signatures: 'x' }, signer, ed), TypeError);
        await assert.rejects(signJson({ signatures: { domain: [] } }, signer, ed), TypeError);
        await assert.rejects(signJson({}, { ...signer, keyId: 'curve25519:1' }, ed), RangeError);
        await assert.rejects(signJson({}, { ...signer, keyId: 'ed25519:' }, ed), RangeError);
        await assert.rejects(signJson({}, { ...signer, entity: '' }, ed), RangeError);
        await assert.rejects(signJson({}, { ...signer, seed: new Uint8Array(31) }, ed), RangeError);
        await assert.rejects(signJson({ a: 1.5 }, signer, ed), CanonicalJsonError);
      });
    });

    describe('verifyJsonSignature', () => {
      const signedText = spec.cases[1]!.output;
      const good = (): Record<string, unknown> => JSON.parse(signedText) as Record<string, unknown>;
      const check = (object: unknown, entity = spec.entity, keyId = spec.keyId, key = publicKey): Promise<SignatureCheck> =>
        verifyJsonSignature(object, entity, keyId, key, ed);
      const withSignature = (signature: unknown): Record<string, unknown> => ({ ...good(), signatures: { domain: { 'ed25519:1': signature } } });
      const sig = (good()['signatures'] as Record<string, Record<string, string>>)['domain']!['ed25519:1']!;

      it('tampered objects are invalid', async () => {
        assert.equal(await check({ ...good(), one: 2 }), 'invalid');
        assert.equal(await check({ ...good(), three: 3 }), 'invalid');
        const { two: _two, ...missing } = good();
        assert.equal(await check(missing), 'invalid');
        assert.equal(await check(good(), spec.entity, spec.keyId, decodeBase64('NnHhnqiMFQkq969szYkooLaBAXW244ZOxgukCvm2ZeY')), 'invalid');
      });

      it('missing signatures are not-signed', async () => {
        for (const object of [null, undefined, 1, 'x', [], {}, { signatures: null }, { signatures: [] }, { signatures: 'x' }, { signatures: { other: {} } }, { signatures: { domain: null } }, { signatures: { domain: { 'ed25519:2': sig } } }]) {
          assert.equal(await check(object), 'not-signed', JSON.stringify(object));
        }
        assert.equal(await check(good(), '@someone:else'), 'not-signed');
        assert.equal(await check(good(), spec.entity, 'ed25519:2'), 'not-signed');
      });

      it('does not find signatures through the prototype chain', async () => {
        for (const entity of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
          assert.equal(await check({ signatures: {} }, entity, 'ed25519:constructor'), 'not-signed');
        }
      });

      it('malformed signature values are invalid', async () => {
        for (const value of [null, 1, true, {}, [], '', 'not base64!', sig.slice(0, -2), `${sig}AA`, sig.replace('+', '-'), ` ${sig}`]) {
          assert.equal(await check(withSignature(value)), 'invalid', JSON.stringify(value));
        }
      });

      it('a padded but otherwise correct signature is accepted (spec: accept either encoding)', async () => {
        assert.equal(await check(withSignature(`${sig}==`)), 'valid');
      });

      it('wrong-length public keys are invalid, not errors', async () => {
        assert.equal(await check(good(), spec.entity, spec.keyId, publicKey.subarray(1)), 'invalid');
        assert.equal(await check(good(), spec.entity, spec.keyId, new Uint8Array(0)), 'invalid');
      });

      it('hostile shapes are invalid and never throw', async () => {
        const cyclic: Record<string, unknown> = withSignature(sig);
        cyclic['self'] = cyclic;
        let deep: unknown = 1;
        for (let i = 0; i < 5000; i++) deep = [deep];
        const getter = withSignature(sig);
        Object.defineProperty(getter, 'boom', { enumerable: true, get: () => { throw new Error('boom'); } });
        const proxy = new Proxy(withSignature(sig), {
          ownKeys: () => {
            throw new RangeError('proxy');
          },
        });
        const throwingSignatures = { one: 1, two: 'Two', get signatures(): never { throw new Error('no'); } };
        const hostile: unknown[] = [
          { ...withSignature(sig), f: 1.5 },
          { ...withSignature(sig), n: NaN },
          { ...withSignature(sig), big: 2 ** 60 },
          { ...withSignature(sig), s: 'lone \ud800' },
          { ...withSignature(sig), d: deep },
          { ...withSignature(sig), date: new Date(0) },
          cyclic,
          getter,
          proxy,
          throwingSignatures,
          Object.assign(new (class Evil {})(), withSignature(sig)),
        ];
        for (const object of hostile) assert.equal(await check(object), 'invalid');
      });

      it('throws on programmer errors', async () => {
        await assert.rejects(verifyJsonSignature(good(), spec.entity, 'curve25519:1', publicKey, ed), RangeError);
        await assert.rejects(verifyJsonSignature(good(), '', spec.keyId, publicKey, ed), RangeError);
        await assert.rejects(verifyJsonSignature(good(), 1 as unknown as string, spec.keyId, publicKey, ed), TypeError);
        await assert.rejects(verifyJsonSignature(good(), spec.entity, spec.keyId, spec.publicKey as unknown as Uint8Array, ed), TypeError);
      });
    });
  });
}
