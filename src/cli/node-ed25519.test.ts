import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { webCryptoEd25519 } from '../core/index.ts';
import { describeBackendsAgree, describeEd25519Backend, fromHex, rfc8032 } from '../core/ed25519-conformance.test.ts';
import { nodeEd25519 } from './node-ed25519.ts';

const ed = nodeEd25519();
describeEd25519Backend(ed);
describeBackendsAgree(ed, webCryptoEd25519());

describe('nodeEd25519: verification against WebCrypto on random input', () => {
  it('agrees on random keys, messages and signatures, valid or tampered', async () => {
    const web = webCryptoEd25519();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.nat(63), fc.boolean(), async (seed, message, at, tamper) => {
        const publicKey = await web.publicKey(seed);
        const signature = await web.sign(seed, message);
        if (tamper) signature[at]! ^= 1;
        assert.equal(await ed.verify(publicKey, message, signature), !tamper);
        assert.equal(await web.verify(publicKey, message, signature), !tamper);
      }),
      { numRuns: 200 },
    );
  });

  it('answers each call from its own bytes, even when the caller changes them while it works', async () => {
    const v = rfc8032.cases[2]!;
    const message = fromHex(v.message);
    const signature = fromHex(v.signature);
    const pending = ed.verify(fromHex(v.publicKey), message, signature);
    message[0]! ^= 1;
    signature[0]! ^= 1;
    assert.equal(await pending, true);
    assert.equal(await ed.verify(fromHex(v.publicKey), message, signature), false);
  });

  it('keeps answering right beyond its key cache (300 keys, each used twice)', async () => {
    const web = webCryptoEd25519();
    const message = fromHex('00');
    const seeds = Array.from({ length: 300 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 7 + j) & 0xff));
    const pairs = await Promise.all(seeds.map(async (seed) => [await web.publicKey(seed), await web.sign(seed, message)] as const));
    for (const round of [0, 1]) {
      const answers = await Promise.all(pairs.map(([key, sig], i) => ed.verify(key, message, i % 2 === round ? sig : pairs[(i + 1) % pairs.length]![1])));
      answers.forEach((ok, i) => assert.equal(ok, i % 2 === round, `key ${i}, round ${round}`));
    }
  });
});
