import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64 } from '../base64.ts';
import {
  emptyVerifiedMemory, MAX_MEMORY_ACCOUNTS, memoryAccountKey, parseVerifiedMemory, previouslyVerified, rememberVerified, verifiedInReport,
} from './verified-memory.ts';
import type { UsersReport } from './types.ts';

const key = (n: number) => encodeBase64(new Uint8Array(32).fill(n));
const ME = { userId: '@me:example.org', homeserver: 'https://matrix.example.org' };

describe('verified memory', () => {
  it('remembers per account the latest master key seen verified, and hands it back for previouslyVerified', () => {
    let { memory, changed } = rememberVerified(emptyVerifiedMemory(), ME, [{ userId: '@bob:x.org', masterKey: key(1) }]);
    assert.equal(changed, true);
    assert.deepEqual([...previouslyVerified(memory, ME)], [['@bob:x.org', key(1)]]);
    // The same homeserver written another way is the same account; another homeserver is not.
    assert.equal(previouslyVerified(memory, { ...ME, homeserver: 'https://MATRIX.example.org/' }).get('@bob:x.org'), key(1));
    assert.equal(previouslyVerified(memory, { ...ME, homeserver: 'https://other.example.org' }).size, 0);
    assert.equal(previouslyVerified(memory, { ...ME, userId: '@you:example.org' }).size, 0);
    assert.equal(rememberVerified(memory, ME, [{ userId: '@bob:x.org', masterKey: key(1) }]).changed, false, 'nothing new, nothing to write');
    ({ memory } = rememberVerified(memory, ME, [{ userId: '@bob:x.org', masterKey: key(2) }]));
    assert.equal(previouslyVerified(memory, ME).get('@bob:x.org'), key(2), 'verifying their new key replaces the old one');
  });

  it('never remembers me, a malformed user ID or a key that is not 32 bytes', () => {
    const { changed } = rememberVerified(emptyVerifiedMemory(), ME, [
      { userId: ME.userId, masterKey: key(1) }, { userId: 'bob', masterKey: key(1) }, { userId: '@bob:x.org', masterKey: 'AAAA' },
      { userId: '@bob:x.org', masterKey: `${key(1).slice(0, 42)}!` },
    ]);
    assert.equal(changed, false);
  });

  it('reads back its own JSON and drops whatever is malformed in hostile storage, never throwing', () => {
    const { memory } = rememberVerified(emptyVerifiedMemory(), ME, [{ userId: '@bob:x.org', masterKey: key(1) }]);
    assert.deepEqual(parseVerifiedMemory(JSON.parse(JSON.stringify(memory))), memory);
    for (const bad of [null, 1, 'x', [], {}, { formatVersion: 2, accounts: {} }, { formatVersion: 1, accounts: [] }, { formatVersion: 1, accounts: null }]) {
      assert.deepEqual(parseVerifiedMemory(bad), emptyVerifiedMemory());
    }
    const hostile = {
      formatVersion: 1,
      accounts: { [memoryAccountKey(ME)]: { '@bob:x.org': key(1), '@eve:x.org': 42, 'nope': key(2), '@mallory:x.org': 'short', ['__proto__']: key(3) }, other: 'x' },
    };
    assert.deepEqual([...previouslyVerified(parseVerifiedMemory(hostile), ME)], [['@bob:x.org', key(1)]]);
  });

  it('keeps at most MAX_MEMORY_ACCOUNTS accounts, dropping the least recently changed', () => {
    let memory = emptyVerifiedMemory();
    for (let i = 0; i <= MAX_MEMORY_ACCOUNTS; i++) {
      memory = rememberVerified(memory, { userId: `@me${i}:x.org`, homeserver: 'https://x.org' }, [{ userId: '@bob:x.org', masterKey: key(1) }]).memory;
    }
    assert.equal(Object.keys(memory.accounts).length, MAX_MEMORY_ACCOUNTS);
    assert.equal(previouslyVerified(memory, { userId: '@me0:x.org', homeserver: 'https://x.org' }).size, 0);
    assert.equal(previouslyVerified(memory, { userId: `@me${MAX_MEMORY_ACCOUNTS}:x.org`, homeserver: 'https://x.org' }).size, 1);
  });

  it('takes from a users report only the people read verified', () => {
    const user = (userId: string, state: UsersReport['users'][number]['state'], masterKey: string | null) =>
      ({ userId, state, masterKey, fingerprint: null, signatures: [], sources: ['typed' as const] });
    const report = { users: [user('@a:x.org', 'verified', key(1)), user('@b:x.org', 'verified-by-replaced-key', key(2)), user('@c:x.org', 'not-verified', key(3))] } as unknown as UsersReport;
    assert.deepEqual(verifiedInReport(report), [{ userId: '@a:x.org', masterKey: key(1) }]);
  });
});
