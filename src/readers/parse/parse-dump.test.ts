import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDump, validateDump, validateLiveClient, wantsLiveClient } from './parse-dump.ts';
import { dumpOf } from '../testing/dump.ts';

const cinny = { cinny_access_token: 'syt_same_token_1', cinny_hs_base_url: 'https://hs.example.org', cinny_user_id: '@bob:example.org', cinny_device_id: 'D' };

test('validateDump accepts a real dump and refuses anything else', () => {
  assert.equal(validateDump(dumpOf(cinny)).ok, true);
  for (const bad of [
    undefined, null, 'x', [], {}, { ...dumpOf({}), v: 2 },
    { ...dumpOf({}), storage: { a: 1 } },
    { ...dumpOf({}), href: 1 },
    { ...dumpOf({}), element: { idb: true, token: { kind: 'plain' } } },
    { ...dumpOf({}), element: { idb: true, token: { kind: 'weird' } } },
    { ...dumpOf({}), flutter: [{ app: 'Other', db: 'x', exists: true, values: {} }] },
    { ...dumpOf({}), flutter: [{ app: 'Commet', db: 'x', exists: true, values: { token: {} } }] },
    { ...dumpOf({}), notes: [1] },
  ]) {
    assert.equal(validateDump(bad).ok, false, JSON.stringify(bad));
  }
});

test('validateLiveClient keeps only the four fields', () => {
  assert.equal(validateLiveClient(null), null);
  assert.equal(validateLiveClient('x'), null);
  assert.deepEqual(validateLiveClient({ userId: 'u', deviceId: 'd', homeserver: 'h', accessToken: 't', refreshToken: 'r' }), { userId: 'u', deviceId: 'd', homeserver: 'h', accessToken: 't' });
});

test('an empty page has no candidates and no problems (→ "No Matrix session found")', () => {
  assert.deepEqual(parseDump(dumpOf({})), { candidates: [], problems: [] });
});

test('several apps on one origin: all candidates, active ones first, duplicates dropped', () => {
  const sessions = [
    { baseUrl: 'https://hs.example.org', userId: '@bob:example.org', deviceId: 'D', accessToken: 'syt_same_token_1' },
    { baseUrl: 'https://hs.example.org', userId: '@carol:example.org', deviceId: 'E', accessToken: 'syt_carol_token_1' },
  ];
  const r = parseDump(dumpOf({ ...cinny, matrixSessions: JSON.stringify(sessions), matrixActiveSession: '"@carol:example.org"' }));
  assert.deepEqual(r.candidates.map((c) => [c.app, c.userId, c.active]), [['Cinny', '@bob:example.org', true], ['Sable', '@carol:example.org', true]]);
});

test('problems of one app do not hide another app\u2019s session', () => {
  const r = parseDump(dumpOf({ ...cinny, hydrogen_sessions_v1: '[broken' }));
  assert.equal(r.candidates.length, 1);
  assert.equal(r.problems.length, 1);
});

test('the live client is wanted for OIDC and for failed Element reads only', () => {
  const user = { mx_user_id: '@a:example.org', mx_hs_url: 'https://hs.example.org' };
  const ok = { idb: true, from: 'idb' as const, token: { kind: 'decrypted' as const, token: 'syt_x_token_1' } };
  assert.equal(wantsLiveClient(dumpOf(user, { element: ok })), false);
  assert.equal(wantsLiveClient(dumpOf({ ...user, mx_oidc_token_issuer: 'https://auth.example.org/' }, { element: ok })), true);
  assert.equal(wantsLiveClient(dumpOf(user, { element: { idb: true, from: 'idb', token: { kind: 'error', code: 'bad-mac', message: 'm' } } })), true);
  assert.equal(wantsLiveClient(dumpOf(cinny)), false);
});

// Found by the fuzz tests: Array#every skips holes, so a sparse `flutter` array passed validation.
test('a dump with a sparse array is refused, not crashed on', () => {
  // eslint-disable-next-line no-sparse-arrays
  const dump = { v: 1, href: 'https://app.example/', secureContext: true, webCrypto: true, storage: {}, element: null, flutter: [,], notes: [] };
  const r = validateDump(dump);
  assert.equal(r.ok, false);
});
