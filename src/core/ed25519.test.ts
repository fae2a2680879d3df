import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Point } from '@noble/ed25519';
import { decodeBase64 } from './base64.ts';
import { detectEd25519, isAcceptablePublicKey, nobleEd25519, webCryptoEd25519 } from './ed25519.ts';
import type { Ed25519 } from './ed25519.ts';
import { describeBackendsAgree, describeEd25519Backend, fromHex, identity, identitySignature, rfc8032, testKeys, toHex } from './ed25519-conformance.test.ts';

const backends: Ed25519[] = [nobleEd25519, webCryptoEd25519()];
for (const ed of backends) describeEd25519Backend(ed);
describeBackendsAgree(nobleEd25519, backends[1]!);
describe('isAcceptablePublicKey: the small-order table matches strict decoding', () => {
  const web = webCryptoEd25519();
  /** noble's strict verdict on a public key: decodes canonically and is not of small order. */
  const nobleAccepts = (key: Uint8Array): boolean => {
    try {
      return !Point.fromBytes(key, false).isSmallOrder();
    } catch {
      return false;
    }
  };
  const decodes = (key: Uint8Array): boolean => {
    try {
      Point.fromBytes(key, false);
      return true;
    } catch {
      return false;
    }
  };

  it('the table holds exactly the canonical encodings of the eight small-order points', () => {
    // A point of order 8 generates the whole torsion subgroup.
    const t = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'), false);
    let p = Point.ZERO;
    const torsion = new Set<string>();
    for (let k = 0; k < 8; k++, p = p.add(t)) torsion.add(toHex(p.toBytes()));
    assert.equal(torsion.size, 8);
    for (const hex of torsion) assert.equal(isAcceptablePublicKey(fromHex(hex)), false, hex);
  });

  // One vector per rejected encoding: the 8 small-order points, the sign-bit variants of the two
  // with x = 0, and every y ≥ p (19 values × both sign bits), which covers the non-canonical
  // encodings of y = 0 and y = 1.
  const rejected: string[] = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000080',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  ];
  for (let low = 0xed; low <= 0xff; low++) {
    for (const top of ['7f', 'ff']) rejected.push(low.toString(16) + 'ff'.repeat(30) + top);
  }
  for (const hex of rejected) {
    it(`rejects ${hex}`, async () => {
      const key = fromHex(hex);
      assert.equal(isAcceptablePublicKey(key), false);
      assert.equal(nobleAccepts(key), false);
      const message = fromHex('68656c6c6f');
      assert.equal(await web.verify(key, message, identitySignature), false);
      assert.equal(await nobleEd25519.verify(key, message, identitySignature), false);
    });
  }

  it('agrees with noble on every key that decodes, and WebCrypto refuses every key that does not', async () => {
    const v = rfc8032.cases[2]!;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), async (bytes, mixTorsion) => {
        // Random bytes are rarely on the curve; half the runs use a real point, optionally plus a
        // small-order component (mixed order: accepted by both, as libsodium does).
        let key = bytes;
        if (mixTorsion || bytes[0]! & 1) {
          const seed = Uint8Array.from(bytes);
          const point = Point.fromBytes(await nobleEd25519.publicKey(seed), false);
          const t = Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'), false);
          key = (mixTorsion ? point.add(t) : point).toBytes();
        }
        if (decodes(key)) assert.equal(isAcceptablePublicKey(key), nobleAccepts(key), toHex(key));
        else assert.equal(await web.verify(key, fromHex(v.message), fromHex(v.signature)), false, toHex(key));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every RFC 8032 and Matrix test key', async () => {
    for (const c of rfc8032.cases) assert.equal(isAcceptablePublicKey(fromHex(c.publicKey)), true, c.name);
    for (const k of testKeys.keys) assert.equal(isAcceptablePublicKey(decodeBase64(k.publicKey)), true, k.role);
  });
});

describe('webCryptoEd25519: public key cache', () => {
  function countingSubtle(): { subtle: SubtleCrypto; imports: () => number } {
    const real = globalThis.crypto.subtle;
    let count = 0;
    const subtle = {
      importKey: (...args: Parameters<SubtleCrypto['importKey']>) => {
        if (args[0] === 'raw') count++;
        return real.importKey(...args);
      },
      verify: real.verify.bind(real),
      sign: real.sign.bind(real),
      exportKey: real.exportKey.bind(real),
    } as unknown as SubtleCrypto;
    return { subtle, imports: () => count };
  }

  it('imports a public key once for repeated verifications', async () => {
    const { subtle, imports } = countingSubtle();
    const ed = webCryptoEd25519(subtle);
    const v = rfc8032.cases[1]!;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ed.verify(fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature))),
    );
    assert.ok(results.every(Boolean));
    assert.equal(imports(), 1);
  });

  it('stays bounded and evicts the least recently used key', async () => {
    const { subtle, imports } = countingSubtle();
    const ed = webCryptoEd25519(subtle);
    const message = fromHex('00');
    const keys = await Promise.all(
      Array.from({ length: 257 }, (_, i) => {
        const seed = new Uint8Array(32);
        seed[0] = i & 0xff;
        seed[1] = i >> 8;
        return nobleEd25519.publicKey(seed);
      }),
    );
    const signature = new Uint8Array(64);
    for (const key of keys.slice(0, 256)) await ed.verify(key, message, signature);
    assert.equal(imports(), 256);
    await ed.verify(keys[0]!, message, signature); // refresh key 0: key 1 is now the oldest
    assert.equal(imports(), 256);
    await ed.verify(keys[256]!, message, signature); // evicts key 1
    assert.equal(imports(), 257);
    await ed.verify(keys[0]!, message, signature);
    assert.equal(imports(), 257);
    await ed.verify(keys[1]!, message, signature);
    assert.equal(imports(), 258);
  });

  it('does not import small-order keys at all', async () => {
    const { subtle, imports } = countingSubtle();
    const ed = webCryptoEd25519(subtle);
    assert.equal(await ed.verify(identity, fromHex('00'), identitySignature), false);
    assert.equal(imports(), 0);
  });
});

describe('detectEd25519', () => {
  it('picks WebCrypto on Node 20 and memoises the result', async () => {
    const first = await detectEd25519();
    assert.equal(first.name, 'webcrypto');
    assert.equal(await detectEd25519(), first);
    assert.equal(await detectEd25519(globalThis.crypto.subtle), first);
  });

  it('falls back to noble when Ed25519 is not supported', async () => {
    const notSupported = (): Promise<never> => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
    const subtle = { importKey: notSupported, sign: notSupported, verify: notSupported, exportKey: notSupported } as unknown as SubtleCrypto;
    assert.equal(await detectEd25519(subtle), nobleEd25519);
  });

  it('falls back to noble when WebCrypto verify accepts anything', async () => {
    const real = globalThis.crypto.subtle;
    const subtle = {
      importKey: real.importKey.bind(real),
      sign: real.sign.bind(real),
      exportKey: real.exportKey.bind(real),
      verify: async () => true,
    } as unknown as SubtleCrypto;
    assert.equal(await detectEd25519(subtle), nobleEd25519);
  });
});
