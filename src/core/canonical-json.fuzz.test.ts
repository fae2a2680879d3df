// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): canonicalJson only ever
// throws CanonicalJsonError, and on valid (integer-only) JSON values it is idempotent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CanonicalJsonError, canonicalJson } from './canonical-json.ts';

const SEED = 0x5eed;
const RUNS = 10_000;

/** Everything fast-check can build, including boxed values, Maps, null prototypes, lone surrogates. */
const hostile = fc.anything({
  withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true,
  withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, stringUnit: 'binary',
});

/** JSON values that have a canonical form: safe integers only (no floats, no -0 issue either way). */
const { json: canonicalable } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string({ unit: 'grapheme' }),
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme' }), tie('json'), { maxKeys: 5 }),
  ),
}));

function onlyTypedErrors(value: unknown): void {
  try {
    const out = canonicalJson(value);
    assert.equal(typeof out, 'string');
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    assert.equal(typeof error.path, 'string');
    assert.ok(error.path.startsWith('$'));
  }
}

describe(`canonicalJson fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`canonicalJson: ${RUNS} arbitrary values → CanonicalJsonError or output`, () => {
    fc.assert(fc.property(hostile, onlyTypedErrors), { numRuns: RUNS, seed: SEED });
  });

  it(`canonicalJson: ${RUNS} fc.jsonValue values (floats, -0, unicode) → CanonicalJsonError or output`, () => {
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), onlyTypedErrors), { numRuns: RUNS, seed: SEED });
  });

  it(`canonicalJson: ${RUNS} valid JSON values → parses back to the same value, idempotent`, () => {
    fc.assert(
      fc.property(canonicalable, (value) => {
        const once = canonicalJson(value);
        const parsed: unknown = JSON.parse(once);
        assert.equal(canonicalJson(parsed), once);
        assert.equal(JSON.stringify(parsed), once); // JSON.parse already sorted nothing: the text was canonical
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
