// repairPreview's fields for verify-user, reverify-users and keep-verified: strict shapes at the
// message boundary (docs/design.md#message-protocol), before the background maps them to a RepairRequest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestValidators } from './protocol.ts';
import { requestOf } from '../background/repair-plan.ts';

const base = { sessionId: 'session-1' };
const accepts = (req: Record<string, unknown>) => requestValidators.repairPreview(req, '$').ok;

describe('repairPreview: the users repairs', () => {
  it('accepts user IDs, a master key and the keep-verified choices', () => {
    assert.ok(accepts({ ...base, kind: 'verify-user', userId: '@bob:example.org', masterKey: 'abcd efgh' }));
    assert.ok(accepts({ ...base, kind: 'reverify-users', userIds: ['@a:x', '@b:y.org'] }));
    assert.ok(accepts({ ...base, kind: 'reset-cross-signing', keepVerified: ['@a:x'] }));
    assert.ok(accepts({ ...base, kind: 'regenerate-subkeys', keepAllVerified: true }));
  });

  it('refuses anything that is not a user ID, an empty list, a key too long, a non-boolean', () => {
    for (const userId of ['bob', '@bob', '@:x', '@bob:', '@bo b:x', '@bob:x\n', '', 42, ['@a:x'], '__proto__']) {
      assert.equal(accepts({ ...base, kind: 'verify-user', userId, masterKey: 'k' }), false, JSON.stringify(userId));
    }
    assert.equal(accepts({ ...base, kind: 'reverify-users', userIds: [] }), false);
    assert.equal(accepts({ ...base, kind: 'reverify-users', userIds: ['@a:x', 'nope'] }), false);
    assert.equal(accepts({ ...base, kind: 'verify-user', userId: '@a:x', masterKey: 'k'.repeat(201) }), false);
    assert.equal(accepts({ ...base, kind: 'reset-cross-signing', keepAllVerified: 'yes' }), false);
    assert.equal(accepts({ ...base, kind: 'reset-cross-signing', keepVerified: '@a:x' }), false);
  });

  it('maps to the RepairRequest of its kind; an absent user ID or key becomes empty (refused by precheckRepair)', () => {
    assert.deepEqual(requestOf({ ...base, kind: 'verify-user', userId: '@b:x', masterKey: 'K' }), { kind: 'verify-user', userId: '@b:x', masterKey: 'K' });
    assert.deepEqual(requestOf({ ...base, kind: 'verify-user' }), { kind: 'verify-user', userId: '', masterKey: '' });
    assert.deepEqual(requestOf({ ...base, kind: 'reverify-users' }), { kind: 'reverify-users' });
    assert.deepEqual(requestOf({ ...base, kind: 'reset-cross-signing', keepAllVerified: true }), { kind: 'reset-cross-signing', keepVerified: 'all' });
    assert.deepEqual(requestOf({ ...base, kind: 'reset-cross-signing', keepVerified: ['@a:x'] }), { kind: 'reset-cross-signing', keepVerified: ['@a:x'] });
  });
});

describe('repairPreview: a fix that sets up secret storage', () => {
  it('carries the new passphrase and the export file as create-secret-storage does (docs/design.md#composed-fix)', () => {
    assert.ok(accepts({ ...base, kind: 'fix', newPassphrase: 'a passphrase', exportFileText: '{}' }));
    assert.deepEqual(requestOf({ ...base, kind: 'fix', newPassphrase: 'p', exportFileText: '{"x":1}', deviceIds: ['A'] }),
      { kind: 'fix', deviceIds: ['A'], newPassphrase: 'p', from: { exportText: '{"x":1}' } });
    assert.deepEqual(requestOf({ ...base, kind: 'fix' }), { kind: 'fix' });
  });
});
