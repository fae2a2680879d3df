// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): decodeBase64 throws only
// Base64Error on strings, tryDecodeBase64 never throws on anything.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Base64Error, decodeBase64, encodeBase64, tryDecodeBase64 } from './base64.ts';

const SEED = 0x5eed;
const RUNS = 10_000;

const hostile = fc.anything({
  withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true,
  withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, stringUnit: 'binary',
});

/** Strings that are mostly base64-looking: alphabet, URL-safe chars, padding, whitespace, junk. */
const base64ish = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...'ABCXYZabxyz0189+/=-_ \n\u00e9'.split('')), maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).chain((b) => {
    const text = encodeBase64(b);
    return fc.tuple(fc.nat({ max: text.length }), fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom('', '=', '==', '==='))
      .map(([i, junk, pad]) => text.slice(0, i) + junk + text.slice(i) + pad);
  }),
);

describe(`base64 fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`decodeBase64: ${RUNS} arbitrary strings → Base64Error or bytes`, () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        try {
          assert.ok(decodeBase64(text) instanceof Uint8Array);
        } catch (error) {
          if (!(error instanceof Base64Error)) throw error;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`tryDecodeBase64: ${RUNS} arbitrary values → a Result, never a throw`, () => {
    fc.assert(
      fc.property(fc.oneof(hostile, base64ish), (value) => {
        const r = tryDecodeBase64(value);
        if (r.ok) assert.ok(r.value instanceof Uint8Array);
        else assert.equal(typeof r.error, 'string');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`decodeBase64: ${RUNS} byte strings round-trip through encodeBase64`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
