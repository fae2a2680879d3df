/**
 * The suite every Ed25519 backend passes (src/core/ed25519.ts's noble and WebCrypto backends, the
 * CLI's node:crypto one): RFC 8032 §7.1 vectors, the Matrix test keys, the verification policy
 * (malformed shapes false, non-canonical S and small-order keys refused) and agreement between two
 * backends. A test file of its own so that it is never part of the core's build; it registers no
 * test until a backend's test file calls it (ed25519.test.ts, src/cli/node-ed25519.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Point } from '@noble/ed25519';
import { decodeBase64, encodeBase64 } from './base64.ts';
import type { Ed25519 } from './ed25519.ts';

interface Rfc8032Vectors {
  cases: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
}
interface TestKeyVectors {
  keys: { role: string; seed: string; publicKey: string }[];
}
const loadJson = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));
export const rfc8032 = loadJson('rfc8032-ed25519.json') as Rfc8032Vectors;
export const testKeys = loadJson('synapse-test-keys.json') as TestKeyVectors;

export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// Group order L (RFC 8032 §5.1), for building a non-canonical S = S + L.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
function addLToS(signature: Uint8Array): Uint8Array {
  const out = Uint8Array.from(signature);
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(out[i]!);
  s += L;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

/** First 32-byte y encoding (sign bit clear) that does not decode to a curve point. */
function offCurveKey(): Uint8Array {
  for (let y = 2; ; y++) {
    const bytes = new Uint8Array(32);
    bytes[0] = y;
    try {
      Point.fromBytes(bytes, false);
    } catch {
      return bytes;
    }
  }
}

export const identity = fromHex('01'.padEnd(64, '0'));
// y = p + 1 ≡ 1 (mod p): a non-canonical encoding of the identity point.
const identityNonCanonical = fromHex('ee'.padEnd(62, 'f') + '7f');
export const identitySignature = new Uint8Array(64);
identitySignature.set(identity, 0); // R = identity, S = 0: "valid" for any message under a small-order key

/** Register the per-backend suite for `ed`. */
export function describeEd25519Backend(ed: Ed25519): void {
  describe(`ed25519 (${ed.name})`, () => {
    describe('RFC 8032 §7.1', () => {
      for (const v of rfc8032.cases) {
        it(v.name, async () => {
          const seed = fromHex(v.secretKey);
          const message = fromHex(v.message);
          assert.equal(toHex(await ed.publicKey(seed)), v.publicKey);
          assert.equal(toHex(await ed.sign(seed, message)), v.signature);
          assert.equal(await ed.verify(fromHex(v.publicKey), message, fromHex(v.signature)), true);
        });
      }
    });

    describe('Matrix test keys (docs/matrix-api.md#spec-signing-vectors, docs/matrix-api.md#synapse-test-keys)', () => {
      for (const { role, seed, publicKey } of testKeys.keys) {
        it(`${role}: seed -> public key`, async () => {
          assert.equal(encodeBase64(await ed.publicKey(decodeBase64(seed))), publicKey);
        });
      }
    });

    describe('verify rejects without throwing', () => {
      const v = rfc8032.cases[2]!;
      const publicKey = fromHex(v.publicKey);
      const message = fromHex(v.message);
      const signature = fromHex(v.signature);

      it('a tampered signature, message or key', async () => {
        for (let i = 0; i < 64; i += 7) {
          const bad = Uint8Array.from(signature);
          bad[i]! ^= 0x40;
          assert.equal(await ed.verify(publicKey, message, bad), false, `byte ${i}`);
        }
        assert.equal(await ed.verify(publicKey, fromHex('af83'), signature), false);
        assert.equal(await ed.verify(publicKey, fromHex('af'), signature), false);
        assert.equal(await ed.verify(fromHex(rfc8032.cases[0]!.publicKey), message, signature), false);
      });

      it('malformed lengths and types', async () => {
        assert.equal(await ed.verify(publicKey.subarray(0, 31), message, signature), false);
        assert.equal(await ed.verify(new Uint8Array(33), message, signature), false);
        assert.equal(await ed.verify(publicKey, message, signature.subarray(0, 63)), false);
        assert.equal(await ed.verify(publicKey, message, new Uint8Array(65)), false);
        assert.equal(await ed.verify(publicKey, message, new Uint8Array(0)), false);
        assert.equal(await ed.verify(null as unknown as Uint8Array, message, signature), false);
        assert.equal(await ed.verify(publicKey, message, v.signature as unknown as Uint8Array), false);
        assert.equal(await ed.verify([...publicKey] as unknown as Uint8Array, message, signature), false);
      });

      it('a non-canonical S (S + L), which malleable verifiers accept', async () => {
        assert.equal(await ed.verify(publicKey, message, addLToS(signature)), false);
      });

      it('a small-order public key with the identity forgery', async () => {
        assert.equal(await ed.verify(identity, fromHex('68656c6c6f'), identitySignature), false);
        assert.equal(await ed.verify(identityNonCanonical, fromHex('68656c6c6f'), identitySignature), false);
      });

      it('an all-zero or off-curve public key', async () => {
        assert.equal(await ed.verify(new Uint8Array(32), message, signature), false);
        assert.equal(await ed.verify(offCurveKey(), message, signature), false);
        assert.equal(await ed.verify(new Uint8Array(32).fill(0xff), message, signature), false);
      });
    });

    describe('programmer errors', () => {
      it('wrong seed length is a RangeError, wrong type a TypeError', async () => {
        await assert.rejects(ed.publicKey(new Uint8Array(31)), RangeError);
        await assert.rejects(ed.publicKey(new Uint8Array(64)), RangeError);
        await assert.rejects(ed.sign(new Uint8Array(33), new Uint8Array(1)), RangeError);
        await assert.rejects(ed.sign('seed' as unknown as Uint8Array, new Uint8Array(1)), TypeError);
        await assert.rejects(ed.sign(new Uint8Array(32), 'hi' as unknown as Uint8Array), TypeError);
        await assert.rejects(ed.verify(new Uint8Array(32), 'hi' as unknown as Uint8Array, new Uint8Array(64)), TypeError);
      });
    });

    it('does not mutate its inputs', async () => {
      const seed = fromHex(rfc8032.cases[1]!.secretKey);
      const message = fromHex('0102');
      const seedCopy = Uint8Array.from(seed);
      const signature = await ed.sign(seed, message);
      await ed.publicKey(seed);
      assert.deepEqual(seed, seedCopy);
      assert.deepEqual(message, fromHex('0102'));
      assert.equal(signature.length, 64);
    });

    it('accepts subarray views', async () => {
      const v = rfc8032.cases[1]!;
      const padded = new Uint8Array(40);
      padded.set(fromHex(v.secretKey), 4);
      const seed = padded.subarray(4, 36);
      assert.equal(toHex(await ed.publicKey(seed)), v.publicKey);
      assert.equal(toHex(await ed.sign(seed, fromHex(v.message))), v.signature);
    });
  });
}

/** Register the agreement tests of two backends (`noble` and `web` are just names for the two). */
export function describeBackendsAgree(noble: Ed25519, web: Ed25519): void {
describe(`ed25519: ${noble.name} and ${web.name} agree`, () => {
  it('on public keys and signatures for random seeds and messages, and verify each other', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        async (seed, message) => {
          const [pubA, pubB] = [await noble.publicKey(seed), await web.publicKey(seed)];
          assert.deepEqual(pubA, pubB);
          const [sigA, sigB] = [await noble.sign(seed, message), await web.sign(seed, message)];
          assert.deepEqual(sigA, sigB);
          assert.equal(await web.verify(pubA, message, sigA), true);
          assert.equal(await noble.verify(pubB, message, sigB), true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('on every small-order point encoding', async () => {
    // The 8 small-order points, plus the non-canonical encodings of y = 0 and y = 1.
    const encodings = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000080',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ].map(fromHex);
    for (const key of encodings) {
      for (const R of encodings) {
        const signature = new Uint8Array(64);
        signature.set(R, 0);
        const results = [await noble.verify(key, fromHex('00'), signature), await web.verify(key, fromHex('00'), signature)];
        assert.deepEqual(results, [false, false], `key ${toHex(key)} R ${toHex(R)}`);
      }
    }
  });
});
}
