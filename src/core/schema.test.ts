import { test } from 'node:test';
import assert from 'node:assert/strict';
import { array, int, literal, object, optional, str } from './schema.ts';

const login = object({ homeserver: str({ min: 1 }), token: str({ min: 1, max: 10 }), port: optional(int({ min: 1, max: 65535 })) });

test('accepts a valid object and drops nothing it knows', () => {
  assert.deepEqual(login({ homeserver: 'https://hs', token: 'abc', port: 443 }), {
    ok: true,
    value: { homeserver: 'https://hs', token: 'abc', port: 443 },
  });
  assert.deepEqual(login({ homeserver: 'https://hs', token: 'abc' }), { ok: true, value: { homeserver: 'https://hs', token: 'abc' } });
});

test('rejects unknown keys, including __proto__', () => {
  assert.deepEqual(login({ homeserver: 'h', token: 't', extra: 1 }), { ok: false, error: '$ has an unknown key "extra"' });
  const hostile = JSON.parse('{"homeserver":"h","token":"t","__proto__":{"admin":true}}');
  const r = login(hostile);
  assert.equal(r.ok, false);
  assert.equal(({} as Record<string, unknown>).admin, undefined);
});

test('names the failing field', () => {
  assert.deepEqual(login({ homeserver: 1, token: 't' }), { ok: false, error: '$.homeserver must be a string' });
  assert.deepEqual(login({ token: 't' }), { ok: false, error: '$.homeserver is required' });
  assert.deepEqual(login({ homeserver: 'h', token: 'x'.repeat(11) }), { ok: false, error: '$.token is too long' });
  assert.deepEqual(login({ homeserver: 'h', token: 't', port: 1.5 }), { ok: false, error: '$.port must be an integer' });
  assert.deepEqual(login(null), { ok: false, error: '$ must be an object' });
  assert.deepEqual(login([]), { ok: false, error: '$ must be an object' });
});

test('arrays and literals', () => {
  const v = array(literal('a', 'b'), { max: 2 });
  assert.deepEqual(v(['a', 'b']), { ok: true, value: ['a', 'b'] });
  assert.deepEqual(v(['a', 'c']), { ok: false, error: '$[1] must be one of a, b' });
  assert.deepEqual(v(['a', 'a', 'a']), { ok: false, error: '$ has too many items' });
});
