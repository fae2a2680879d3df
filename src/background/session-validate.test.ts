import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCandidate, checkCandidates, describeMismatch, whoamiError } from './session-validate.ts';
import { ConnectionError, MatrixApiError } from '../core/matrix/errors.ts';
import type { SessionCandidate } from '../readers/parse/types.ts';
import { SessionReadError } from '../readers/parse/read-errors.ts';

const candidate = (over: Partial<SessionCandidate> = {}): SessionCandidate => ({
  app: 'Cinny', homeserver: 'https://hs.example.org', userId: '@a:example.org', deviceId: 'DEV', accessToken: 'syt_token_abcdef',
  active: true, source: 'localStorage', rotates: false, softLogout: false, ...over,
});

const realFetch = globalThis.fetch;
const seen: string[] = [];
const wellKnown: string[] = [];
afterEach(() => {
  globalThis.fetch = realFetch;
  seen.length = 0;
  wellKnown.length = 0;
});

/** whoami answers per token; records which host every request went to. */
function homeserver(answers: Record<string, { status: number; body: unknown }>) {
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const auth = new Headers(init?.headers).get('Authorization');
    // The well-known lookup (§Server Discovery) is recorded apart, and must never carry the token.
    if (url.pathname === '/.well-known/matrix/client') {
      wellKnown.push(`${url.host}${auth === null ? '' : ' WITH A TOKEN'}`);
      return new Response(JSON.stringify({ 'm.homeserver': { base_url: 'https://hs.example.org' } }), { status: 200 });
    }
    seen.push(url.host);
    const token = auth?.replace('Bearer ', '') ?? '';
    const a = answers[token] ?? { status: 401, body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' } };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

test('whoami errors map to the popup\u2019s codes', () => {
  const unknown = new MatrixApiError('x', { status: 401, errcode: 'M_UNKNOWN_TOKEN', body: {} });
  const soft = new MatrixApiError('x', { status: 401, errcode: 'M_UNKNOWN_TOKEN', body: {}, softLogout: true });
  assert.equal(whoamiError(unknown, 'Element', 'https://hs')?.code, 'invalid-token');
  assert.match(whoamiError(unknown, 'manual', 'https://hs')!.message, /M_UNKNOWN_TOKEN/);
  assert.equal(whoamiError(soft, 'Element', 'https://hs')?.code, 'soft-logout');
  assert.equal(whoamiError(new MatrixApiError('x', { status: 403, errcode: 'M_FORBIDDEN', body: {} }), 'Cinny', 'https://hs')?.code, 'homeserver-error');
  assert.equal(whoamiError(new ConnectionError('down', { kind: 'network' }), 'Cinny', 'https://hs')?.code, 'homeserver-error');
  assert.equal(whoamiError(new TypeError('bug'), 'Cinny', 'https://hs'), undefined);
});

test('mismatch: user or (known) device differs from storage', () => {
  assert.equal(describeMismatch(candidate(), '@a:example.org', 'DEV'), undefined);
  assert.equal(describeMismatch(candidate({ deviceId: '' }), '@a:example.org', 'OTHER'), undefined);
  assert.match(describeMismatch(candidate(), '@a:example.org', 'OTHER')!, /device DEV .* OTHER/);
  assert.match(describeMismatch(candidate(), '@b:example.org', 'DEV')!, /user @a:example.org .* @b:example.org/);
});

test('a confirmed candidate becomes a session with the homeserver\u2019s identity; the token goes to its homeserver only', async () => {
  homeserver({ syt_token_abcdef: { status: 200, body: { user_id: '@a:example.org', device_id: 'REAL' } } });
  const r = await checkCandidate(candidate({ deviceId: '' }));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.session.deviceId, 'REAL');
  assert.equal(r.session.mismatch, undefined);
  assert.equal(r.session.pageDeviceId, '');
  assert.deepEqual(seen, ['hs.example.org']);
  // The homeserver's user ID names example.org, whose well-known names hs.example.org: proven.
  assert.deepEqual(wellKnown, ['example.org']);
  assert.equal(r.session.homeserverCheck?.verdict, 'proven');
});

test('a page pairing a user ID with another server: the session is kept but its homeserver is a mismatch', async () => {
  homeserver({ syt_token_abcdef: { status: 200, body: { user_id: '@a:example.org', device_id: 'DEV' } } });
  const r = await checkCandidate(candidate({ homeserver: 'https://evil.example:8443' }));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(r.session.homeserverCheck, {
    verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.example:8443', discoveredHost: 'hs.example.org', insecure: false,
  });
  assert.equal(r.session.homeserverConfirmed, undefined);
  assert.deepEqual(wellKnown, ['example.org']);
});

test('whoami naming another user: discovery is redone for the user the token acts as', async () => {
  homeserver({ syt_token_abcdef: { status: 200, body: { user_id: '@b:other.example', device_id: 'DEV' } } });
  const r = await checkCandidate(candidate());
  assert.equal(r.ok, true);
  if (!r.ok) return;
  // The early lookup for the page's claim (example.org) ran beside whoami; the verdict is other.example's.
  assert.deepEqual(wellKnown.sort(), ['example.org', 'other.example']);
  assert.equal(r.session.homeserverCheck?.serverNameHost, 'other.example');
  assert.ok(r.session.mismatch);
});

test('soft logout in storage is rejected without sending the token anywhere', async () => {
  homeserver({});
  const r = await checkCandidate(candidate({ softLogout: true }));
  assert.equal(!r.ok && r.rejected.code, 'soft-logout');
  assert.deepEqual(seen, []);
});

test('checkCandidates: usable sessions win; otherwise the most telling error; nothing at all is not-matrix', async () => {
  homeserver({ good_token_1234: { status: 200, body: { user_id: '@a:example.org', device_id: 'DEV' } } });
  const mixed = await checkCandidates({ candidates: [candidate(), candidate({ accessToken: 'good_token_1234' })], problems: [{ app: 'Hydrogen', code: 'read-failed', message: 'broken' }] });
  assert.equal(mixed.sessions.length, 1);
  assert.deepEqual(mixed.rejected.map((r) => r.code), ['invalid-token', 'read-failed']);

  await assert.rejects(checkCandidates({ candidates: [], problems: [] }), (e: unknown) => e instanceof SessionReadError && e.code === 'not-matrix' && /No Matrix session found/.test(e.message));
  await assert.rejects(checkCandidates({ candidates: [candidate()], problems: [] }), (e: unknown) => e instanceof SessionReadError && e.code === 'invalid-token');
  await assert.rejects(
    checkCandidates({ candidates: [candidate()], problems: [{ app: 'Element', code: 'insecure-origin', message: 'insecure' }] }),
    (e: unknown) => e instanceof SessionReadError && e.code === 'insecure-origin',
  );
});
