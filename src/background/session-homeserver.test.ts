import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertWritable, HomeserverUnconfirmedError, mayWrite, verdictOf } from './session-homeserver.ts';
import type { StoredSession } from '../ext/storage.ts';

const base: StoredSession = { sessionId: 's', homeserver: 'https://evil.example:8443', accessToken: 't', userId: '@a:example.org', deviceId: 'D', app: 'Cinny' };
const mismatch = { verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.example:8443', discoveredHost: 'hs.example.org', insecure: false } as const;

test('writes need a proven homeserver over https (or loopback), or the person’s confirmation', () => {
  assert.equal(mayWrite({ ...base, homeserverCheck: { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'hs.example.org', insecure: false } }), true);
  assert.equal(mayWrite({ ...base, homeserverCheck: { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'hs.example.org', insecure: true } }), false);
  assert.equal(mayWrite({ ...base, homeserverCheck: mismatch }), false);
  assert.equal(mayWrite({ ...base, homeserverCheck: mismatch, homeserverConfirmed: true }), true);
  // A session without a verdict was never checked: not writable.
  assert.equal(mayWrite(base), false);
  assert.equal(verdictOf(base).verdict, 'unverifiable');
});

test('the refusal names both hosts', () => {
  assert.throws(() => assertWritable({ ...base, homeserverCheck: mismatch }), (e: unknown) =>
    e instanceof HomeserverUnconfirmedError && e.code === 'homeserver-unconfirmed' && /evil\.example:8443/.test(e.message) && /example\.org/.test(e.message));
  assert.doesNotThrow(() => assertWritable({ ...base, homeserverCheck: mismatch, homeserverConfirmed: true }));
});
