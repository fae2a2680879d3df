// Strict request validators of the session-reading messages (readTab, refreshSessionToken).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestValidators } from './protocol.ts';

test('readTab takes exactly a non-negative integer tabId', () => {
  const v = requestValidators.readTab;
  assert.deepEqual(v({ tabId: 7 }), { ok: true, value: { tabId: 7 } });
  for (const bad of [{}, { tabId: '7' }, { tabId: -1 }, { tabId: 1.5 }, { tabId: 7, url: 'https://x' }, JSON.parse('{"tabId":7,"__proto__":{"x":1}}'), null, [7]]) {
    assert.equal(v(bad).ok, false, JSON.stringify(bad));
  }
});

test('refreshSessionToken takes exactly a sessionId', () => {
  const v = requestValidators.refreshSessionToken;
  assert.equal(v({ sessionId: 'a-b-c' }).ok, true);
  for (const bad of [{}, { sessionId: '' }, { sessionId: 'x'.repeat(129) }, { sessionId: 1 }, { sessionId: 'a', accessToken: 't' }, JSON.parse('{"sessionId":"a","__proto__":{}}')]) {
    assert.equal(v(bad).ok, false, JSON.stringify(bad));
  }
});

test('tabAccess takes exactly a non-negative integer tabId', () => {
  const v = requestValidators.tabAccess;
  assert.deepEqual(v({ tabId: 3 }), { ok: true, value: { tabId: 3 } });
  for (const bad of [{}, { tabId: '3' }, { tabId: -1 }, { tabId: 0.5 }, { tabId: 3, grant: true }, JSON.parse('{"tabId":3,"__proto__":{"x":1}}'), null]) {
    assert.equal(v(bad).ok, false, JSON.stringify(bad));
  }
});
