import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrogenSessionIdFromUrl, parseHydrogen } from './parse-hydrogen.ts';

const a = { id: '1234', deviceId: 'HA', userId: '@a:example.org', homeserver: 'https://a.example.org', homeServer: 'https://a.example.org', accessToken: 'syt_a_token_000', lastUsed: 1000 };
const b = { id: '5678', deviceId: 'HB', userId: '@b:example.org', homeServer: 'https://b.example.org', accessToken: 'syt_b_token_000', lastUsed: 2000 };
const storage = (v: unknown) => ({ hydrogen_sessions_v1: JSON.stringify(v) });

test('the session id comes from #/session/<id>', () => {
  assert.equal(hydrogenSessionIdFromUrl('https://h.example/#/session/1234/rooms/!x:y'), '1234');
  assert.equal(hydrogenSessionIdFromUrl('https://h.example/#/session/12%2034'), '12 34');
  assert.equal(hydrogenSessionIdFromUrl('https://h.example/#/session/%E0%A4%A'), '%E0%A4%A');
  assert.equal(hydrogenSessionIdFromUrl('https://h.example/#/login'), undefined);
  assert.equal(hydrogenSessionIdFromUrl('https://h.example/'), undefined);
});

test('all sessions; homeserver or the older homeServer', () => {
  const r = parseHydrogen(storage([a, b]), 'https://h.example/');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.candidates.map((c) => [c.app, c.userId, c.deviceId, c.homeserver]), [
    ['Hydrogen', '@a:example.org', 'HA', 'https://a.example.org'],
    ['Hydrogen', '@b:example.org', 'HB', 'https://b.example.org'],
  ]);
});

test('the active session: URL hash first, else the latest lastUsed', () => {
  assert.deepEqual(parseHydrogen(storage([a, b]), 'https://h.example/#/session/1234').candidates.map((c) => c.active), [true, false]);
  assert.deepEqual(parseHydrogen(storage([a, b]), 'https://h.example/').candidates.map((c) => c.active), [false, true]);
  assert.deepEqual(parseHydrogen(storage([a, b]), 'https://h.example/#/session/unknown').candidates.map((c) => c.active), [false, true]);
  // Numeric ids (older builds) match the hash too.
  assert.deepEqual(parseHydrogen(storage([{ ...a, id: 1 }, b]), 'https://h.example/#/session/1').candidates.map((c) => c.active), [true, false]);
  // No lastUsed anywhere: the first.
  const { lastUsed: _a, ...a0 } = a;
  const { lastUsed: _b, ...b0 } = b;
  assert.deepEqual(parseHydrogen(storage([a0, b0]), 'https://h.example/').candidates.map((c) => c.active), [true, false]);
});

test('broken JSON, a non-array, and bad entries', () => {
  assert.match(parseHydrogen({ hydrogen_sessions_v1: '[{' }, '').problems[0]!.message, /not valid JSON/);
  assert.match(parseHydrogen({ hydrogen_sessions_v1: '{}' }, '').problems[0]!.message, /not a JSON array/);
  const r = parseHydrogen(storage([7, { ...a, accessToken: null }, { ...a, homeserver: undefined, homeServer: undefined }, { ...a, userId: ['@a:example.org'] }, b]), '');
  assert.equal(r.candidates.length, 1);
  assert.equal(r.candidates[0]?.active, true);
  assert.equal(r.problems.length, 4);
  assert.deepEqual(parseHydrogen({}, ''), { candidates: [], problems: [] });
});
