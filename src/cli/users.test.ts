import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from './args.ts';
import { formatUsers, takeUserFlags } from './users.ts';

describe('xsign-doctor users: arguments and text', () => {
  it('--user repeats, takes commas and = forms, drops duplicates, keeps other flags', () => {
    const r = takeUserFlags(['--json', '--user', '@a:x', '--user=@b:x,@a:x', '--homeserver', 'h']);
    assert.deepEqual(r, { users: ['@a:x', '@b:x'], rest: ['--json', '--homeserver', 'h'] });
  });

  it('a bad or missing user ID is a usage error', () => {
    for (const argv of [['--user'], ['--user', 'bob'], ['--user='], ['--user', '@a:x,oops']]) {
      assert.throws(() => takeUserFlags(argv), UsageError, JSON.stringify(argv));
    }
  });

  it('text output neutralises terminal controls in server-supplied user IDs', () => {
    const text = formatUsers({
      formatVersion: 1, userId: '@me:x', userSigningKey: null,
      users: [{ userId: '@evil\u001b[2J:x', masterKey: null, fingerprint: null, state: 'no-identity', signatures: [], sources: ['encrypted-room'] }],
      counts: { 'verified': 0, 'verified-by-replaced-key': 0, 'identity-changed': 0, 'not-verified': 0, 'no-identity': 1 },
      problems: [], discovery: { roomsReturned: 1, encryptedRooms: 1, directPartners: 0, typed: 0, roomsFailed: 0, keysQueryRequests: 1, truncated: 0 },
    });
    assert.ok(!text.includes('\u001b'));
    assert.match(text, /NO CROSS-SIGNING IDENTITY \(1\)/);
    assert.match(text, /VERDICT: no problem/);
  });
});
