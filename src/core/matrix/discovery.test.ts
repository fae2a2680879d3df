import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkHomeserver, describeVerdict, discoverHomeserver, isInsecureBaseUrl, isLoopbackHost, isTrustedHomeserver,
  parseServerName, parseWellKnown, serverNameOf, type ServerName,
} from './discovery.ts';

type Seen = { url: string; init: RequestInit | undefined };

/** A fetch that answers every request with `answer` and records what was asked. */
function fakeFetch(answer: () => Response | Promise<Response>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(input), init });
    return answer();
  }) as typeof fetch;
  return { fetch: f, seen };
}

const json = (body: unknown, status = 200) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const server = (name: string): ServerName => {
  const s = parseServerName(name);
  assert.ok(s.ok, name);
  return s.value;
};

describe('server names', () => {
  it('takes everything after the first colon of a user ID', () => {
    assert.deepEqual(serverNameOf('@alice:example.org'), { ok: true, value: { name: 'example.org', host: 'example.org' } });
    assert.deepEqual(serverNameOf('@a:localhost:8448'), { ok: true, value: { name: 'localhost:8448', host: 'localhost', port: 8448 } });
    assert.deepEqual(serverNameOf('@a:[::1]:8008'), { ok: true, value: { name: '[::1]:8008', host: '[::1]', port: 8008 } });
    assert.deepEqual(serverNameOf('@a:127.0.0.1:1'), { ok: true, value: { name: '127.0.0.1:1', host: '127.0.0.1', port: 1 } });
  });

  it('refuses what is not a host with an optional port', () => {
    for (const bad of ['alice:example.org', '@alice', '@:example.org', '@a:', '@a:exa mple.org', '@a:example.org:0', '@a:example.org:70000',
      '@a:example.org/evil', '@a:user@evil.org', '@a:example.org:80:80', '@a:-bad.org', '@a:ex\u202Eample.org', '@a:0x7f.1:8008', '@a:a.0', '@a:127.1', `@a:${'a'.repeat(300)}`]) {
      assert.equal(serverNameOf(bad).ok, false, bad);
    }
  });

  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', 'x.localhost']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['example.org', '128.0.0.1', 'localhost.example.org', '[::2]', '10.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  });

  it('calls plain http insecure except on loopback', () => {
    assert.equal(isInsecureBaseUrl('http://matrix.example.org'), true);
    assert.equal(isInsecureBaseUrl('http://10.0.0.5:8008'), true);
    assert.equal(isInsecureBaseUrl('https://matrix.example.org'), false);
    assert.equal(isInsecureBaseUrl('http://127.0.0.1:8008'), false);
    assert.equal(isInsecureBaseUrl('http://localhost:8008/'), false);
    assert.equal(isInsecureBaseUrl('http://[::1]:8008'), false);
  });
});

describe('discoverHomeserver', () => {
  it('asks only the server name’s host, over https, without token, cookie or redirects', async () => {
    const { fetch, seen } = fakeFetch(() => json({ 'm.homeserver': { base_url: 'https://matrix-client.example.org' } }));
    const d = await discoverHomeserver(server('example.org'), { fetch });
    assert.deepEqual(d, { kind: 'found', baseUrl: 'https://matrix-client.example.org', via: 'well-known' });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, 'https://example.org/.well-known/matrix/client');
    assert.equal(seen[0]!.init?.method, 'GET');
    assert.equal(seen[0]!.init?.credentials, 'omit');
    assert.equal(seen[0]!.init?.redirect, 'manual');
    assert.equal(seen[0]!.init?.headers, undefined, 'no Authorization header or any other');
  });

  it('uses http only for a loopback server name with an explicit port', async () => {
    const urls: string[] = [];
    for (const name of ['localhost:8448', '127.0.0.1:8008', '[::1]:8008', 'localhost', 'example.org:8448']) {
      const { fetch, seen } = fakeFetch(() => json({}, 404));
      await discoverHomeserver(server(name), { fetch });
      urls.push(seen[0]!.url);
    }
    assert.deepEqual(urls, [
      'http://localhost:8448/.well-known/matrix/client',
      'http://127.0.0.1:8008/.well-known/matrix/client',
      'http://[::1]:8008/.well-known/matrix/client',
      'https://localhost/.well-known/matrix/client',
      'https://example.org:8448/.well-known/matrix/client',
    ]);
  });

  it('falls back to the server name itself on 404 (IGNORE)', async () => {
    const { fetch } = fakeFetch(() => json({ errcode: 'M_NOT_FOUND' }, 404));
    assert.deepEqual(await discoverHomeserver(server('example.org'), { fetch }), { kind: 'found', baseUrl: 'https://example.org', via: 'server-name' });
  });

  it('turns hostile answers into FAIL_PROMPT / FAIL_ERROR, never a throw', async () => {
    const cases: [string, () => Response | Promise<Response>, 'fail-prompt' | 'fail-error', RegExp][] = [
      ['500', () => json({}, 500), 'fail-prompt', /HTTP 500/],
      ['empty body', () => new Response('', { status: 200 }), 'fail-prompt', /empty/],
      ['not JSON', () => new Response('<html>', { status: 200 }), 'fail-prompt', /not JSON/],
      ['invalid UTF-8', () => new Response(new Uint8Array([0x7b, 0xff, 0x7d]), { status: 200 }), 'fail-prompt', /not JSON/],
      ['array', () => json([1]), 'fail-prompt', /not a JSON object/],
      ['null', () => json('null'), 'fail-prompt', /not a JSON object/],
      ['no m.homeserver', () => json({ 'm.identity_server': {} }), 'fail-prompt', /base_url/],
      ['base_url not a string', () => json({ 'm.homeserver': { base_url: 42 } }), 'fail-prompt', /base_url/],
      ['m.homeserver an array', () => json({ 'm.homeserver': ['https://x'] }), 'fail-prompt', /base_url/],
      ['base_url not a URL', () => json({ 'm.homeserver': { base_url: 'not a url' } }), 'fail-error', /not an http\(s\) URL/],
      ['base_url javascript:', () => json({ 'm.homeserver': { base_url: 'javascript:alert(1)' } }), 'fail-error', /not an http\(s\) URL/],
      ['redirect', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }), 'fail-prompt', /redirect/],
      ['too large', () => new Response('{"m.homeserver":{"base_url":"https://x"},"pad":"' + 'a'.repeat(70_000) + '"}', { status: 200 }), 'fail-prompt', /too large/],
      ['connection refused', () => Promise.reject(new TypeError('fetch failed')), 'fail-prompt', /couldn’t reach/],
    ];
    for (const [label, answer, kind, reason] of cases) {
      const { fetch } = fakeFetch(answer);
      const d = await discoverHomeserver(server('example.org'), { fetch });
      assert.equal(d.kind, kind, label);
      assert.match((d as { reason: string }).reason, reason, label);
    }
  });

  it('gives up on a server that never answers (bounded time)', async () => {
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) => new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    })) as typeof fetch;
    const d = await discoverHomeserver(server('example.org'), { fetch: hanging, timeoutMs: 1 });
    assert.equal(d.kind, 'fail-prompt');
    assert.match((d as { reason: string }).reason, /did not answer its well-known within 1 ms/);
  });

  it('parseWellKnown ignores extra fields and keeps the base URL as given', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ 'm.homeserver': { base_url: 'https://hs.example.org/matrix/', extra: 1 }, other: [] }));
    assert.deepEqual(parseWellKnown(bytes), { kind: 'found', baseUrl: 'https://hs.example.org/matrix/', via: 'well-known' });
  });
});

describe('checkHomeserver', () => {
  const wellKnown = (baseUrl: string) => fakeFetch(() => json({ 'm.homeserver': { base_url: baseUrl } })).fetch;

  it('proven when the well-known names the session’s origin (path and trailing slash ignored)', async () => {
    const v = await checkHomeserver('@alice:example.org', 'https://matrix.example.org', { fetch: wellKnown('https://MATRIX.example.org:443/') });
    assert.deepEqual(v, { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', insecure: false });
    assert.ok(isTrustedHomeserver(v));
  });

  it('mismatch, naming both hosts, when a page planted another base URL', async () => {
    const v = await checkHomeserver('@alice:matrix.org', 'https://evil.example:8443', { fetch: wellKnown('https://matrix-client.matrix.org') });
    assert.deepEqual(v, { verdict: 'mismatch', serverNameHost: 'matrix.org', baseUrlHost: 'evil.example:8443', discoveredHost: 'matrix-client.matrix.org', insecure: false });
    assert.ok(!isTrustedHomeserver(v));
    const text = describeVerdict(v);
    assert.match(text, /evil\.example:8443/);
    assert.match(text, /matrix\.org/);
  });

  it('a different port or scheme is a different homeserver', async () => {
    assert.equal((await checkHomeserver('@a:localhost:8008', 'http://127.0.0.1:9999', { fetch: wellKnown('http://127.0.0.1:8008') })).verdict, 'mismatch');
    assert.equal((await checkHomeserver('@a:example.org', 'http://example.org', { fetch: wellKnown('https://example.org') })).verdict, 'mismatch');
  });

  it('unverifiable when discovery fails or the user ID has no valid server name', async () => {
    const down = fakeFetch(() => Promise.reject(new TypeError('fetch failed'))).fetch;
    const v = await checkHomeserver('@alice:example.org', 'https://example.org', { fetch: down });
    assert.equal(v.verdict, 'unverifiable');
    assert.ok(!isTrustedHomeserver(v));
    assert.match(describeVerdict(v), /Couldn’t check that example\.org is the homeserver of example\.org/);
    const { fetch, seen } = fakeFetch(() => json({}));
    assert.equal((await checkHomeserver('@alice:evil.org/x', 'https://example.org', { fetch })).verdict, 'unverifiable');
    assert.equal(seen.length, 0, 'nothing is fetched for an invalid server name');
  });

  it('proven over plain http off loopback is still not trusted', async () => {
    const v = await checkHomeserver('@alice:example.org', 'http://example.org', { fetch: wellKnown('http://example.org') });
    assert.equal(v.verdict, 'proven');
    assert.equal(v.insecure, true);
    assert.ok(!isTrustedHomeserver(v));
    assert.match(describeVerdict(v), /plain http/);
  });
});
