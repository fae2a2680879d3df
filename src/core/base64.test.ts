import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Base64Error, decodeBase64, encodeBase64, tryDecodeBase64 } from './base64.ts';

interface Base64Vectors {
  cases: { utf8: string; base64: string }[];
  signingSeed: { base64: string; canonicalBase64: string; hex: string };
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/unpadded-base64.json', import.meta.url), 'utf8'),
) as Base64Vectors;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const pad = (s: string): string => s + '='.repeat((4 - (s.length % 4)) % 4);

describe('base64: spec examples (appendices §Unpadded Base64)', () => {
  for (const { utf8: text, base64 } of vectors.cases) {
    it(`${JSON.stringify(text)} <-> ${JSON.stringify(base64)}`, () => {
      assert.equal(encodeBase64(utf8(text)), base64);
      assert.deepEqual(decodeBase64(base64), utf8(text));
      assert.deepEqual(decodeBase64(pad(base64)), utf8(text), 'padded form decodes too');
    });
  }
});

describe('base64: trailing-bit leniency (docs/matrix-api.md#spec-signing-vectors)', () => {
  it('decodes the spec signing seed despite its non-zero trailing bits', () => {
    const { base64, canonicalBase64, hex: expected } = vectors.signingSeed;
    assert.equal(hex(decodeBase64(base64)), expected);
    assert.equal(hex(decodeBase64(canonicalBase64)), expected);
    assert.equal(encodeBase64(decodeBase64(base64)), canonicalBase64);
  });

  it('ignores spare bits like Node Buffer does, for 2- and 3-character tails', () => {
    for (const text of ['Zh', 'Zv', 'Zm9', 'Zm/', 'Zm8', 'Zm+', 'AB', 'ABC', '//', '///']) {
      assert.deepEqual(decodeBase64(text), new Uint8Array(Buffer.from(text, 'base64')), text);
    }
  });
});

describe('base64: rejects junk with Base64Error', () => {
  const junk: [string, string][] = [
    ['impossible length 1 mod 4', 'Z'],
    ['impossible length 5', 'Zm9vY'],
    ['impossible length with padding', 'Zm9vY==='],
    ['url-safe minus', 'Zm-v'],
    ['url-safe underscore', 'Zm_v'],
    ['space', 'Zm9v Yg'],
    ['leading space', ' Zm9v'],
    ['newline', 'Zm9v\nYg'],
    ['tab', 'Zm9v\tYg'],
    ['non-ASCII', 'Zm9vé'],
    ['dot', 'Zm9v.'],
    ['padding in the middle', 'Zg==Zg'],
    ['three padding characters', 'Z==='],
    ['only padding', '=='],
    ['padding on a full quantum', 'Zm9v===='],
    ['padding on a full quantum (1)', 'Zm9v='],
    ['partial padding', 'Zg='],
    ['too much padding', 'Zm8=='],
  ];
  for (const [name, text] of junk) {
    it(name, () => {
      assert.throws(() => decodeBase64(text), (error: unknown) => error instanceof Base64Error && error.name === 'Base64Error');
      const result = tryDecodeBase64(text);
      assert.equal(result.ok, false);
    });
  }

  it('throws TypeError on programmer errors', () => {
    assert.throws(() => decodeBase64(123 as unknown as string), TypeError);
    assert.throws(() => encodeBase64('abc' as unknown as Uint8Array), TypeError);
    assert.throws(() => encodeBase64([1, 2] as unknown as Uint8Array), TypeError);
  });
});

describe('tryDecodeBase64', () => {
  it('returns ok for valid input', () => {
    assert.deepEqual(tryDecodeBase64('Zm9vYmE='), { ok: true, value: utf8('fooba') });
  });
  it('never throws on non-strings', () => {
    for (const value of [undefined, null, 1, {}, [], new Uint8Array(1), Symbol('x')]) {
      const result = tryDecodeBase64(value);
      assert.equal(result.ok, false);
    }
  });
});

describe('base64: properties', () => {
  it('round-trips arbitrary bytes and matches Node Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64(bytes);
        assert.equal(text, Buffer.from(bytes).toString('base64').replace(/=+$/, ''));
        assert.deepEqual(decodeBase64(text), bytes);
        assert.deepEqual(decodeBase64(pad(text)), bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
