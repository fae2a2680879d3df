import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { base58 } from '@scure/base';
import { decodeRecoveryKey, encodeRecoveryKey, RecoveryKeyError } from './recovery-key.ts';
import type { RecoveryKeyErrorCode } from './recovery-key.ts';

interface RecoveryKeyVectors {
  cases: { keyHex: string; recoveryKey: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/recovery-key.json', import.meta.url), 'utf8'),
) as RecoveryKeyVectors;

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** Build base58 text for arbitrary decoded bytes, to reach each error branch precisely. */
function rawKey(bytes: number[]): string {
  return base58.encode(Uint8Array.from(bytes));
}
function withParity(bytes: number[]): number[] {
  return [...bytes, bytes.reduce((a, b) => a ^ b, 0)];
}
const key32 = Array.from({ length: 32 }, (_, i) => i);

function assertCode(text: string, code: RecoveryKeyErrorCode): void {
  assert.throws(
    () => decodeRecoveryKey(text),
    (error: unknown) => {
      assert.ok(error instanceof RecoveryKeyError);
      assert.equal(error.name, 'RecoveryKeyError');
      assert.equal(error.code, code);
      assert.ok(error.message.length > 10, 'has a human message');
      return true;
    },
  );
}

describe('recovery key: vector (docs/matrix-api.md#recovery-key)', () => {
  for (const { keyHex, recoveryKey } of vectors.cases) {
    it(`encodes ${keyHex}`, () => {
      assert.equal(encodeRecoveryKey(fromHex(keyHex)), recoveryKey);
    });
    it('decodes it back, with any whitespace', () => {
      const key = fromHex(keyHex);
      assert.deepEqual(decodeRecoveryKey(recoveryKey), key);
      assert.deepEqual(decodeRecoveryKey(recoveryKey.replace(/ /g, '')), key);
      assert.deepEqual(decodeRecoveryKey(`\n  ${recoveryKey.replace(/ /g, '\t')} \r\n`), key);
      assert.deepEqual(decodeRecoveryKey(recoveryKey.replace(/ /g, '\u00a0')), key, 'non-breaking spaces from copy/paste');
    });
  }
});

describe('recovery key: decoding errors', () => {
  it("'empty'", () => {
    assertCode('', 'empty');
    assertCode('  \n\t ', 'empty');
  });

  it("'alphabet'", () => {
    for (const bad of ['0', 'O', 'I', 'l', '+', '/', '-', 'é']) {
      assertCode(`EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY${bad}`, 'alphabet');
    }
  });

  it("'length'", () => {
    assertCode('EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY', 'length');
    assertCode('EsSz', 'length');
    assertCode('EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1 1', 'length');
    assertCode('1'.repeat(48), 'length'); // 48 characters, but leading '1's are zero bytes: 48 bytes
    assertCode('z'.repeat(48), 'length'); // 48 characters, 36 bytes
    assertCode('z'.repeat(10_000), 'length'); // refused before the quadratic base58 decode
    assertCode(rawKey(withParity([0x8b, 0x01, ...key32, 0x00])), 'length');
  });

  it("'prefix'", () => {
    assertCode(rawKey(withParity([0x8b, 0x02, ...key32])), 'prefix');
    assertCode(rawKey(withParity([0x8c, 0x01, ...key32])), 'prefix');
  });

  it("'parity'", () => {
    const good = withParity([0x8b, 0x01, ...key32]);
    good[good.length - 1]! ^= 0x01;
    assertCode(rawKey(good), 'parity');
    // A typical typo near the end of a real key.
    assertCode('EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY2', 'parity');
  });

  it('throws TypeError on a non-string', () => {
    assert.throws(() => decodeRecoveryKey(undefined as unknown as string), TypeError);
  });
});

describe('recovery key: encoding errors', () => {
  it('rejects wrong lengths with RangeError and non-bytes with TypeError', () => {
    assert.throws(() => encodeRecoveryKey(new Uint8Array(31)), RangeError);
    assert.throws(() => encodeRecoveryKey(new Uint8Array(33)), RangeError);
    assert.throws(() => encodeRecoveryKey(key32 as unknown as Uint8Array), TypeError);
  });
});

describe('recovery key: properties', () => {
  it('round-trips any 32-byte key into 12 groups of 4 starting with Es', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const text = encodeRecoveryKey(key);
        assert.match(text, /^Es[1-9A-HJ-NP-Za-km-z]{2}( [1-9A-HJ-NP-Za-km-z]{4}){11}$/);
        assert.deepEqual(decodeRecoveryKey(text), key);
      }),
      { numRuns: 1000 },
    );
  });
});
