import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nobleEd25519, type Ed25519 } from './ed25519.ts';
import { signingBytes, signJson, verifyJsonSignature } from './signing.ts';
import { cachingEd25519 } from './verify-cache.ts';

/** The real noble backend, counting the verifications it really does. */
function counting(): { ed: Ed25519; calls: () => number } {
  let n = 0;
  return {
    ed: { ...nobleEd25519, verify: (k, m, s) => (n++, nobleEd25519.verify(k, m, s)) },
    calls: () => n,
  };
}

const seed = new Uint8Array(32).fill(7);

test('an unchanged signed object is verified once across re-reads; a changed one again', async () => {
  const { ed, calls } = counting();
  const cached = cachingEd25519(ed);
  const publicKey = await nobleEd25519.publicKey(seed);
  const keyId = 'ed25519:DEV';
  const signed = await signJson({ device_id: 'DEV', keys: { a: 1 } }, { entity: '@a:example.org', keyId, seed }, nobleEd25519);
  // A re-read parses the same JSON again: a new object with the same canonical form.
  for (let i = 0; i < 3; i++) {
    assert.equal(await verifyJsonSignature(structuredClone(signed), '@a:example.org', keyId, publicKey, cached), 'valid');
  }
  assert.equal(calls(), 1);
  // unsigned is not signed: changing it keeps the cache entry.
  assert.equal(await verifyJsonSignature({ ...signed, unsigned: { device_display_name: 'x' } }, '@a:example.org', keyId, publicKey, cached), 'valid');
  assert.equal(calls(), 1);
  // A changed signed member, another key or another signature: verified afresh, and the answer is right.
  assert.equal(await verifyJsonSignature({ ...signed, device_id: 'OTHER' }, '@a:example.org', keyId, publicKey, cached), 'invalid');
  assert.equal(await verifyJsonSignature(signed, '@a:example.org', keyId, await nobleEd25519.publicKey(new Uint8Array(32)), cached), 'invalid');
  const otherSig = { ...signed, signatures: { '@a:example.org': { [keyId]: signed.signatures['@a:example.org']![keyId]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } } };
  assert.equal(await verifyJsonSignature(otherSig, '@a:example.org', keyId, publicKey, cached), 'invalid');
  assert.equal(calls(), 4);
  assert.deepEqual(cached.stats(), { hits: 3, misses: 4, size: 4 });
});

test('the cache is bounded and evicts the least recently used answer', async () => {
  const { ed, calls } = counting();
  const cached = cachingEd25519(ed, 2);
  const publicKey = await nobleEd25519.publicKey(seed);
  const sig = new Uint8Array(64);
  const m = (x: number) => signingBytes({ x });
  await cached.verify(publicKey, m(1), sig);
  await cached.verify(publicKey, m(2), sig);
  await cached.verify(publicKey, m(1), sig); // 1 is now the most recent
  await cached.verify(publicKey, m(3), sig); // evicts 2
  assert.equal(calls(), 3);
  await cached.verify(publicKey, m(1), sig);
  assert.equal(calls(), 3);
  await cached.verify(publicKey, m(2), sig);
  assert.equal(calls(), 4);
  assert.equal(cached.stats().size, 2);
});

test('bytes that are not UTF-8 are verified every time, never keyed by a lossy decoding', async () => {
  const { ed, calls } = counting();
  const cached = cachingEd25519(ed);
  const publicKey = await nobleEd25519.publicKey(seed);
  const sig = new Uint8Array(64);
  assert.equal(await cached.verify(publicKey, new Uint8Array([0xff]), sig), false);
  assert.equal(await cached.verify(publicKey, new Uint8Array([0xfe]), sig), false);
  assert.equal(calls(), 2);
  assert.equal(cached.stats().size, 0);
});
