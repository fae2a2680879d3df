import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { curve25519PublicKey } from './curve25519.ts';

interface X25519Vectors {
  cases: { name: string; privateKey: string; publicKey: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/rfc7748-x25519.json', import.meta.url), 'utf8'),
) as X25519Vectors;
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

describe('curve25519PublicKey (RFC 7748 §6.1)', () => {
  for (const v of vectors.cases) {
    it(v.name, () => {
      assert.equal(Buffer.from(curve25519PublicKey(fromHex(v.privateKey))).toString('hex'), v.publicKey);
    });
  }

  it('matches the backup auth_data public key in the signed-JSON fixtures', () => {
    const fixtures = JSON.parse(
      readFileSync(new URL('../../test/vectors/signed-json.json', import.meta.url), 'utf8'),
    ) as { cases: { input: Record<string, unknown> }[] };
    const authData = fixtures.cases.find((c) => typeof c.input['public_key'] === 'string')!.input;
    const backupSecret = encodeBase64(fromHex(vectors.cases[0]!.privateKey)); // as stored in m.megolm_backup.v1
    assert.equal(encodeBase64(curve25519PublicKey(decodeBase64(backupSecret))), authData['public_key']);
  });

  it('does not mutate the private key (clamping works on a copy)', () => {
    const privateKey = fromHex(vectors.cases[0]!.privateKey);
    curve25519PublicKey(privateKey);
    assert.equal(Buffer.from(privateKey).toString('hex'), vectors.cases[0]!.privateKey);
  });

  it('throws on programmer errors', () => {
    assert.throws(() => curve25519PublicKey(new Uint8Array(31)), RangeError);
    assert.throws(() => curve25519PublicKey(new Uint8Array(33)), RangeError);
    assert.throws(() => curve25519PublicKey('key' as unknown as Uint8Array), TypeError);
  });
});
