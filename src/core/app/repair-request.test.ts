import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { precheckRepair } from './prepare-repair.ts';
import { describeRefusal, REPAIR_KINDS, type RefusalCode } from './repair-request.ts';

const CODES: RefusalCode[] = [
  'missing-key', 'missing-source', 'no-secret-storage', 'key-input', 'wrong-key', 'wrong-source-key', 'export-passphrase-both',
  'export-passphrase-weak', 'export-encrypt-failed', 'nothing-to-do', 'missing-secret', 'nothing-lost', 'bad-input', 'seed-mismatch',
  'bad-secret-storage-key', 'unsafe-secret-storage-key', 'secret-unreadable', 'would-overwrite', 'untrusted-backup',
];

describe('describeRefusal: every refusal worded, for both front ends', () => {
  it('says something specific for every code and kind, never "undefined"', () => {
    for (const code of CODES) {
      for (const kind of REPAIR_KINDS) {
        for (const surface of [{ name: 'cli', verb: 'reset' } as const, { name: 'popup' } as const]) {
          const text = describeRefusal({ code, kind, detail: 'the specific reason' }, surface);
          assert.ok(text.length > 10, `${code}/${kind}`);
          assert.doesNotMatch(text, /undefined|\[object/);
        }
      }
    }
  });
  it('names each front end\'s own control where the export file is the way out', () => {
    const refusal = { code: 'unsafe-secret-storage-key', kind: 'reset-cross-signing', detail: 'the key is not proven' } as const;
    assert.equal(describeRefusal(refusal, { name: 'cli', verb: 'reset' }), 'cannot plan reset: the key is not proven (--export FILE). Nothing was sent.');
    assert.match(describeRefusal(refusal, { name: 'popup' }), /^Cannot plan this repair: the key is not proven \(tick "Also save the new private keys in an export file" and preview again\)\. Nothing was sent\.$/);
    assert.doesNotMatch(describeRefusal({ ...refusal, kind: 'sign-devices' }, { name: 'popup' }), /export file/, 'no new keys, no export hint');
  });
});

describe('precheckRepair: the refusals that need no server', () => {
  const key = { recoveryKey: 'EsT...' };
  it('the secret-storage key is needed unless the keys are safe otherwise', () => {
    assert.equal(precheckRepair({ kind: 'sign-devices' }, {})?.code, 'missing-key');
    assert.equal(precheckRepair({ kind: 'reset-cross-signing' }, {})?.code, 'missing-key');
    assert.equal(precheckRepair({ kind: 'reset-cross-signing', exportKeys: true }, {}), null);
    assert.equal(precheckRepair({ kind: 'regenerate-subkeys', selfSigning: true, userSigning: false, exportKeys: true }, {})?.code, 'missing-key', 'the master comes from secret storage');
    assert.equal(precheckRepair({ kind: 'manual-upload', keys: {} }, {}), null);
  });
  it('store-secrets needs a source; an export file needs a good passphrase or the explicit plaintext choice', () => {
    assert.equal(precheckRepair({ kind: 'store-secrets' }, key)?.code, 'missing-source');
    assert.equal(precheckRepair({ kind: 'store-secrets', from: { exportText: '{}' } }, key), null);
    const reset = { kind: 'reset-cross-signing', exportKeys: true } as const;
    assert.equal(precheckRepair(reset, key, {})?.code, 'export-passphrase-weak');
    assert.equal(precheckRepair(reset, key, { passphrase: 'short' })?.code, 'export-passphrase-weak');
    assert.equal(precheckRepair(reset, key, { passphrase: 'a long export passphrase', plaintext: true })?.code, 'export-passphrase-both');
    assert.equal(precheckRepair(reset, key, { plaintext: true }), null);
    assert.equal(precheckRepair(reset, key, { passphrase: 'a long export passphrase' }), null);
    assert.equal(precheckRepair({ kind: 'reset-cross-signing' }, key, {}), null, 'no export file, no passphrase needed');
  });
});
