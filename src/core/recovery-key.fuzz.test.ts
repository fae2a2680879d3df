// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): decodeRecoveryKey throws only
// RecoveryKeyError, on arbitrary strings and on valid keys with mutations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecoveryKey, encodeRecoveryKey, RecoveryKeyError } from './recovery-key.ts';

const SEED = 0x5eed;
const RUNS = 10_000;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const CODES = new Set(['empty', 'alphabet', 'length', 'prefix', 'parity']);

function onlyTypedErrors(text: string): void {
  try {
    const key = decodeRecoveryKey(text);
    assert.ok(key instanceof Uint8Array);
    assert.equal(key.length, 32);
  } catch (error) {
    if (!(error instanceof RecoveryKeyError)) throw error;
    assert.ok(CODES.has(error.code), error.code);
  }
}

const validKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeRecoveryKey);
const mutation = fc.oneof(
  // replace one character by a base58 character or by anything
  fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...BASE58.split('')), fc.string({ unit: 'binary', maxLength: 2 }))).map(([i, c]) => (k: string) => {
    const at = i % (k.length + 1);
    return k.slice(0, at) + c + k.slice(at + 1);
  }),
  // insert
  fc.tuple(fc.nat(), fc.string({ unit: fc.constantFrom(...`${BASE58}0OIl \n\t`.split('')), maxLength: 4 })).map(([i, s]) => (k: string) => {
    const at = i % (k.length + 1);
    return k.slice(0, at) + s + k.slice(at);
  }),
  // delete a range
  fc.tuple(fc.nat(), fc.nat({ max: 8 })).map(([i, n]) => (k: string) => {
    const at = i % (k.length + 1);
    return k.slice(0, at) + k.slice(at + n);
  }),
  // swap two characters
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => (k: string) => {
    const a = [...k];
    const x = i % a.length, y = j % a.length;
    [a[x], a[y]] = [a[y]!, a[x]!];
    return a.join('');
  }),
  // repeat / truncate wholesale
  fc.integer({ min: 0, max: 4 }).map((n) => (k: string) => k.repeat(n)),
);

describe(`recovery key fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`decodeRecoveryKey: ${RUNS} arbitrary strings → RecoveryKeyError or 32 bytes`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...`${BASE58} `.split('')), maxLength: 60 })), onlyTypedErrors),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`decodeRecoveryKey: ${RUNS} mutated valid keys → RecoveryKeyError or 32 bytes`, () => {
    fc.assert(
      fc.property(validKey, fc.array(mutation, { minLength: 1, maxLength: 3 }), (key, mutations) => {
        onlyTypedErrors(mutations.reduce((k, m) => m(k), key));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`decodeRecoveryKey: ${RUNS} valid keys round-trip`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        assert.deepEqual(decodeRecoveryKey(encodeRecoveryKey(bytes)), bytes);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
