import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryOnUnknownToken } from './session-fetch.ts';

type Call = { url: string; auth: string | null; body: unknown };

function fakeHomeserver(validToken: string, errcode = 'M_UNKNOWN_TOKEN') {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get('Authorization');
    calls.push({ url: String(input), auth, body: init?.body });
    if (auth === `Bearer ${validToken}`) return new Response('{"user_id":"@a:x"}', { status: 200 });
    return new Response(JSON.stringify({ errcode, error: 'nope' }), { status: 401 });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const req = (token: string) => ({ method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"x":1}' });

test('after M_UNKNOWN_TOKEN the request is replayed once with the re-read token', async () => {
  const hs = fakeHomeserver('new');
  let rereads = 0;
  const f = retryOnUnknownToken(hs.fetch, async () => (rereads++, 'new'));
  const res = await f('https://hs.example/_matrix/client/v3/keys/query', req('old'));
  assert.equal(res.status, 200);
  assert.equal(rereads, 1);
  assert.deepEqual(hs.calls.map((c) => c.auth), ['Bearer old', 'Bearer new']);
  assert.equal(hs.calls[1]!.body, '{"x":1}');
  assert.equal(hs.calls[1]!.url, hs.calls[0]!.url, 'same homeserver, same request');
});

test('the same token again, a failed re-read, or another error: the original answer', async () => {
  const hs = fakeHomeserver('never');
  assert.equal((await retryOnUnknownToken(hs.fetch, async () => 'old')('https://hs.example/x', req('old'))).status, 401);
  assert.equal((await retryOnUnknownToken(hs.fetch, async () => { throw new Error('tab gone'); })('https://hs.example/x', req('old'))).status, 401);
  assert.equal(hs.calls.length, 2, 'no replays');
  const forbidden = fakeHomeserver('never', 'M_FORBIDDEN');
  let rereads = 0;
  await retryOnUnknownToken(forbidden.fetch, async () => (rereads++, 'new'))('https://hs.example/x', req('old'));
  assert.equal(rereads, 0);
});

test('successful and unauthenticated requests pass straight through', async () => {
  const hs = fakeHomeserver('good');
  let rereads = 0;
  const f = retryOnUnknownToken(hs.fetch, async () => (rereads++, 'x'));
  assert.equal((await f('https://hs.example/x', req('good'))).status, 200);
  assert.equal((await f('https://hs.example/x', {})).status, 401);
  assert.equal(rereads, 0);
  assert.equal(hs.calls.length, 2);
});
