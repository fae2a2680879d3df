import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCinny, parseSable } from './parse-cinny.ts';
import { UNPARSABLE, withoutRefreshTokens } from './sanitize.ts';

const cinny = { cinny_access_token: 'syt_cinny_token_01', cinny_hs_base_url: 'https://hs.example.org', cinny_user_id: '@bob:example.org', cinny_device_id: 'CINNYDEV' };

test('Cinny: the cinny_* keys make one candidate', () => {
  const r = parseCinny(cinny);
  assert.deepEqual(r.problems, []);
  assert.equal(r.candidates.length, 1);
  assert.deepEqual({ ...r.candidates[0] }, {
    app: 'Cinny', homeserver: 'https://hs.example.org', userId: '@bob:example.org', deviceId: 'CINNYDEV',
    accessToken: 'syt_cinny_token_01', active: true, source: 'localStorage', rotates: false, softLogout: false,
  });
});

test('Cinny: no token, nothing; missing fields are problems', () => {
  assert.deepEqual(parseCinny({ cinny_user_id: '@bob:example.org' }), { candidates: [], problems: [] });
  const { cinny_hs_base_url: _, ...noHs } = cinny;
  assert.match(parseCinny(noHs).problems[0]!.message, /homeserver/);
  const { cinny_user_id: __, ...noUser } = cinny;
  assert.match(parseCinny(noUser).problems[0]!.message, /user ID/);
  // A missing device ID is allowed (whoami fills it in).
  const { cinny_device_id: ___, ...noDevice } = cinny;
  assert.equal(parseCinny(noDevice).candidates[0]?.deviceId, '');
});

const sable = (sessions: unknown, active?: string) => ({
  matrixSessions: withoutRefreshTokens(JSON.stringify(sessions)),
  ...(active === undefined ? {} : { matrixActiveSession: JSON.stringify(active) }),
});
const s1 = { baseUrl: 'https://one.example.org/', userId: '@one:example.org', deviceId: 'D1', accessToken: 'syt_one_token_1', refreshToken: 'REFRESH-ONE' };
const s2 = { baseUrl: 'https://two.example.org', userId: '@two:example.org', deviceId: 'D2', accessToken: 'syt_two_token_2', expiresInMs: 300000 };

test('Sable: every session, the active one marked', () => {
  const r = parseSable(sable([s1, s2], '@two:example.org'));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.candidates.map((c) => [c.app, c.userId, c.deviceId, c.homeserver, c.active, c.rotates]), [
    ['Sable', '@one:example.org', 'D1', 'https://one.example.org', false, false],
    ['Sable', '@two:example.org', 'D2', 'https://two.example.org', true, true],
  ]);
});

test('Sable: without (a valid) matrixActiveSession the first session is active', () => {
  assert.equal(parseSable(sable([s1, s2])).candidates[0]?.active, true);
  assert.equal(parseSable({ ...sable([s1, s2]), matrixActiveSession: '{broken' }).candidates[0]?.active, true);
  assert.equal(parseSable(sable([s1, s2], '@nobody:example.org')).candidates[0]?.active, true);
});

test('Sable: refresh tokens never reach the parser', () => {
  const stored = sable([s1]).matrixSessions;
  assert.ok(!stored.includes('REFRESH-ONE'));
  assert.ok(!stored.includes('refreshToken'));
});

test('Sable: broken JSON, not an array, bad entries', () => {
  assert.match(parseSable({ matrixSessions: UNPARSABLE }).problems[0]!.message, /not valid JSON/);
  assert.match(parseSable({ matrixSessions: withoutRefreshTokens('[{"baseUrl": "https://x') }).problems[0]!.message, /not valid JSON/);
  assert.match(parseSable({ matrixSessions: '{"a":1}' }).problems[0]!.message, /not a JSON array/);
  const r = parseSable(sable([null, 'x', { ...s1, accessToken: 42 }, { ...s1, userId: undefined }, s2]));
  assert.equal(r.candidates.length, 1);
  assert.equal(r.candidates[0]?.userId, '@two:example.org');
  assert.equal(r.problems.length, 4);
  assert.ok(r.problems.every((p) => p.app === 'Sable' && p.code === 'read-failed'));
});
