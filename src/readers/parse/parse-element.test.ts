import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLiveClient, parseElement } from './parse-element.ts';
import { dumpOf } from '../testing/dump.ts';
import type { ElementDump } from './types.ts';

const base = { mx_hs_url: 'https://matrix-client.example.org/', mx_user_id: '@alice:example.org', mx_device_id: 'DEV1', mx_is_guest: 'false', mx_has_access_token: 'true' };
const decrypted: ElementDump = { idb: true, from: 'idb', token: { kind: 'decrypted', token: 'syt_secret_token_1' } };

test('an encrypted IDB token makes one active Element candidate', () => {
  const r = parseElement(dumpOf(base, { element: decrypted }));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.candidates, [{
    app: 'Element', homeserver: 'https://matrix-client.example.org', userId: '@alice:example.org', deviceId: 'DEV1',
    accessToken: 'syt_secret_token_1', active: true, source: 'idb-encrypted', rotates: false, softLogout: false,
  }]);
});

test('plain IDB and legacy localStorage tokens are told apart', () => {
  const plain = parseElement(dumpOf(base, { element: { idb: true, from: 'idb', token: { kind: 'plain', token: 'syt_plain_token_x' } } }));
  assert.equal(plain.candidates[0]?.source, 'idb-plain');
  const legacy = parseElement(dumpOf(base, { element: { idb: false, from: 'localStorage', token: { kind: 'plain', token: 'syt_plain_token_x' } } }));
  assert.equal(legacy.candidates[0]?.source, 'localStorage');
});

test('a missing mx_device_id gives deviceId ""', () => {
  const { mx_device_id: _, ...noDevice } = base;
  assert.equal(parseElement(dumpOf(noDevice, { element: decrypted })).candidates[0]?.deviceId, '');
});

test('no Element marker, no Element result', () => {
  assert.deepEqual(parseElement(dumpOf({ cinny_access_token: 'x' }, { element: decrypted })), { candidates: [], problems: [] });
  assert.deepEqual(parseElement(dumpOf(base, { element: null })), { candidates: [], problems: [] });
});

test('mx_soft_logout marks the candidate, or is the problem when the token is gone', () => {
  const r = parseElement(dumpOf({ ...base, mx_soft_logout: 'true' }, { element: decrypted }));
  assert.equal(r.candidates[0]?.softLogout, true);
  const gone = parseElement(dumpOf({ ...base, mx_soft_logout: 'true' }, { element: { idb: true, from: null, token: { kind: 'none' } } }));
  assert.equal(gone.problems[0]?.code, 'soft-logout');
});

test('OIDC sessions rotate their token', () => {
  const r = parseElement(dumpOf({ ...base, mx_oidc_token_issuer: 'https://auth.example.org/' }, { element: decrypted }));
  assert.equal(r.candidates[0]?.rotates, true);
  assert.equal(parseElement(dumpOf({ ...base, mx_has_refresh_token: 'true' }, { element: decrypted })).candidates[0]?.rotates, true);
});

test('token errors become specific problems', () => {
  const err = (code: 'no-webcrypto' | 'bad-mac' | 'no-pickle-key') => parseElement(dumpOf(base, { element: { idb: true, from: 'idb', token: { kind: 'error', code, message: `m-${code}` } } })).problems;
  assert.equal(err('no-webcrypto')[0]?.code, 'insecure-origin');
  assert.match(err('no-webcrypto')[0]!.message, /secure origin|WebCrypto/);
  assert.equal(err('bad-mac')[0]?.code, 'read-failed');
  assert.match(err('bad-mac')[0]!.message, /m-bad-mac/);
  assert.equal(err('no-pickle-key')[0]?.code, 'read-failed');
});

test('a missing token: evicted storage vs signed out', () => {
  const none: ElementDump = { idb: false, from: null, token: { kind: 'none' } };
  assert.match(parseElement(dumpOf(base, { element: none })).problems[0]!.message, /evicted/);
  const { mx_has_access_token: _, ...signedOut } = base;
  assert.match(parseElement(dumpOf(signedOut, { element: none })).problems[0]!.message, /signed out/);
});

test('missing or mistyped fields are problems, never candidates', () => {
  const cases: Record<string, string>[] = [
    { ...base, mx_hs_url: 'not a url' },
    { ...base, mx_hs_url: 'ftp://example.org' },
    { ...base, mx_user_id: 'alice' },
    (({ mx_hs_url: _, ...rest }) => rest)(base),
  ];
  for (const storage of cases) {
    const r = parseElement(dumpOf(storage, { element: decrypted }));
    assert.equal(r.candidates.length, 0, JSON.stringify(storage));
    assert.equal(r.problems.length, 1);
    assert.ok(!r.problems[0]!.message.includes('syt_secret_token_1'));
  }
  const badToken = parseElement(dumpOf(base, { element: { idb: true, from: 'idb', token: { kind: 'plain', token: 'has spaces in it' } } }));
  assert.equal(badToken.candidates.length, 0);
});

test('the live client replaces the stored token and clears Element problems', () => {
  const storage = { ...base, mx_oidc_token_issuer: 'https://auth.example.org/' };
  const live = { userId: '@alice:example.org', deviceId: 'DEV1', homeserver: 'https://matrix-client.example.org', accessToken: 'mat_live_token_123' };
  const r = mergeLiveClient(parseElement(dumpOf(storage, { element: decrypted })), live, storage);
  assert.equal(r.candidates.length, 1);
  assert.equal(r.candidates[0]?.accessToken, 'mat_live_token_123');
  assert.equal(r.candidates[0]?.source, 'live-client');
  assert.equal(r.candidates[0]?.rotates, true);
  const failed = parseElement(dumpOf(storage, { element: { idb: true, from: 'idb', token: { kind: 'error', code: 'bad-mac', message: 'x' } } }));
  const merged = mergeLiveClient(failed, live, storage);
  assert.deepEqual(merged.problems, []);
  assert.equal(merged.candidates[0]?.source, 'live-client');
  // A live client without a token changes nothing.
  assert.deepEqual(mergeLiveClient(failed, { ...live, accessToken: null }, storage), failed);
});
