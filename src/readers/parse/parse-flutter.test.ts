import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientList } from '../page/flutter-clients.ts';
import { parseFlutter } from './parse-flutter.ts';
import type { FlutterDbDump } from './types.ts';

const values = { token: 'syt_fluffy_token_1', homeserver_url: 'https://hs.example.org', user_id: '@f:example.org', device_id: 'FLUFFY' };
const db = (over: Partial<FlutterDbDump> = {}): FlutterDbDump => ({ app: 'FluffyChat', db: 'FluffyChat web', exists: true, values, ...over });

test('the client list is a JSON array of names (shared_preferences_web)', () => {
  assert.deepEqual(parseClientList('["FluffyChat web","FluffyChat-1700000000000"]'), { ok: true, names: ['FluffyChat web', 'FluffyChat-1700000000000'] });
  assert.deepEqual(parseClientList(undefined), { ok: true, names: [] });
  assert.deepEqual(parseClientList('[]'), { ok: true, names: [] });
  assert.deepEqual(parseClientList('["a", 3, "a", ""]'), { ok: true, names: ['a'] });
  assert.equal(parseClientList('[').ok, false);
  assert.equal(parseClientList('"FluffyChat web"').ok, false);
  assert.equal(parseClientList('[1, 2]').ok, false);
  const many = JSON.stringify(Array.from({ length: 100 }, (_, i) => `c${i}`));
  assert.equal((parseClientList(many) as { names: string[] }).names.length, 16);
});

test('FluffyChat and Commet databases make candidates', () => {
  const r = parseFlutter([db(), db({ app: 'Commet', db: 'aB3dE5gH7jK9mN1pQ3sT', values: { ...values, user_id: '@c:example.org', device_id: 'COMMET' } })]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.candidates.map((c) => [c.app, c.userId, c.deviceId, c.homeserver, c.source, c.active]), [
    ['FluffyChat', '@f:example.org', 'FLUFFY', 'https://hs.example.org', 'indexedDB', false],
    ['Commet', '@c:example.org', 'COMMET', 'https://hs.example.org', 'indexedDB', false],
  ]);
  assert.equal(parseFlutter([db()]).candidates[0]?.active, true);
});

test('absent databases are skipped; read errors, signed-out clients and mistyped values are problems', () => {
  assert.deepEqual(parseFlutter([db({ exists: false, values: {} })]), { candidates: [], problems: [] });
  assert.match(parseFlutter([db({ error: 'the database has no box_client store' })]).problems[0]!.message, /box_client/);
  assert.match(parseFlutter([db({ values: { ...values, token: null } })]).problems[0]!.message, /signed out/);
  assert.match(parseFlutter([db({ values: { ...values, user_id: 5 } })]).problems[0]!.message, /user ID/);
  assert.match(parseFlutter([db({ values: { ...values, homeserver_url: null } })]).problems[0]!.message, /homeserver/);
  assert.match(parseFlutter([db({ values: { ...values, token: true } })]).problems[0]!.message, /access token/);
});
