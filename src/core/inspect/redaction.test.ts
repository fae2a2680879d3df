import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactedRequestBody } from './redaction.ts';

describe('redactedRequestBody', () => {
  it('redacts the ciphertext and mac of every entry of a secret, keeps the rest, leaves the original alone', () => {
    const body = {
      encrypted: {
        KEYA: { iv: 'aXZpdml2aXZpdml2aXZpdg', ciphertext: 'Q0lQSEVSVEVYVF9BQkNERUY', mac: 'TUFDX01BQ19NQUNfTUFDX01BQw' },
        KEYB: { iv: 'b3RoZXJpdm90aGVyaXY', ciphertext: 'T1RIRVJDSVBIRVJURVhU', mac: 'T1RIRVJNQUM' },
      },
    };
    const original = JSON.parse(JSON.stringify(body)) as typeof body;
    const redacted = redactedRequestBody(body) as typeof body;
    assert.deepEqual(body, original, 'the plan keeps its real body');
    assert.deepEqual(redacted, {
      encrypted: {
        KEYA: { iv: 'aXZpdml2aXZpdml2aXZpdg', ciphertext: '[redacted: 23 characters]', mac: '[redacted: 26 characters]' },
        KEYB: { iv: 'b3RoZXJpdm90aGVyaXY', ciphertext: '[redacted: 20 characters]', mac: '[redacted: 11 characters]' },
      },
    });
  });
  it('redacts the copies kept aside, which nest the secret content', () => {
    const kept = { secret: 'm.cross_signing.master', content: { encrypted: { KEYA: { iv: 'SVY', ciphertext: 'S0VQVENJUEhFUg', mac: 'S0VQVE1BQw' } } } };
    assert.deepEqual(redactedRequestBody(kept), {
      secret: 'm.cross_signing.master', content: { encrypted: { KEYA: { iv: 'SVY', ciphertext: '[redacted: 14 characters]', mac: '[redacted: 10 characters]' } } },
    });
  });
  it('other bodies pass unchanged; hostile shapes do not throw', () => {
    const upload = { master_key: { user_id: '@a:hs', usage: ['master'], keys: { 'ed25519:K': 'K' } } };
    assert.deepEqual(redactedRequestBody(upload), upload);
    assert.equal(redactedRequestBody(undefined), undefined);
    for (const odd of [null, 3, 'x', [], { encrypted: null }, { encrypted: [1, 2] }, { encrypted: { K: { ciphertext: 5 } } }]) {
      assert.deepEqual(redactedRequestBody(odd), odd);
    }
    const proto = JSON.parse('{"encrypted":{"__proto__":{"ciphertext":"c","mac":"m"}}}') as unknown;
    assert.equal(JSON.stringify(redactedRequestBody(proto)), '{"encrypted":{"__proto__":{"ciphertext":"[redacted: 1 characters]","mac":"[redacted: 1 characters]"}}}');
  });
});
