// The leak watch's rules on recorded requests and storage dumps, without a browser: where each
// kind of secret may and may not go. The browser end-to-end checks are in e2e/leak-watch.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { allowOrigin } from './allowed-origins.ts';
import { requestLeaks, storageLeaks } from './leak-watch.ts';
import type { RecordedRequest } from './recording-proxy.ts';
import { registerPrivateKey, registerSecret } from './secrets-registry.ts';

const HS = 'http://127.0.0.1:18008';
const OTHER_HS = 'http://127.0.0.1:28008';
const PAGE = 'http://localhost:18080';
allowOrigin(HS, 'homeserver');
allowOrigin(OTHER_HS, 'homeserver');
allowOrigin(PAGE, 'page');

const fresh = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const token = fresh('syt_');
const password = fresh('pw-');
const recovery = 'EsTc ' + fresh('').slice(0, 20).replace(/(.{4})/g, '$1 ').trim();
registerSecret('access-token', token, 'token of @a', HS);
registerSecret('password', password, 'password of @a', HS);
registerSecret('recovery-key', recovery, 'recovery key of k');

function req(url: string, parts: Partial<RecordedRequest> = {}): RecordedRequest {
  return { method: 'GET', url, origin: new URL(url).origin, body: '', headers: 'accept: */*\nsec-fetch-dest: empty', ...parts };
}

test('a token or password may go to its own homeserver only', () => {
  assert.deepEqual(requestLeaks([req(`${HS}/_matrix/client/v3/account/whoami`, { authorization: `Bearer ${token}` })], new Map()), []);
  assert.deepEqual(requestLeaks([req(`${HS}/x`, { method: 'POST', body: JSON.stringify({ password }) })], new Map()), []);
  const [leak, ...rest] = requestLeaks([req(`${OTHER_HS}/whoami?access_token=${token}`)], new Map());
  assert.equal(rest.length, 0);
  assert.match(leak!, /^access-token "token of @a" .* sent in GET http:\/\/127\.0\.0\.1:28008\/whoami$/);
  assert.ok(!leak!.includes(token), 'the report must not print the secret');
});

test('a secret typed into the UI (no known homeserver) may go to a homeserver, not to a page', () => {
  const typed = fresh('typed-');
  registerSecret('password', typed, 'typed into repair-password');
  assert.deepEqual(requestLeaks([req(`${OTHER_HS}/auth`, { method: 'POST', body: typed })], new Map()), []);
  assert.match(requestLeaks([req(`${PAGE}/form`, { method: 'POST', body: typed, headers: 'referer: x' })], new Map())[0]!, /^password "typed into repair-password"/);
});

test('a recovery key (either form) or a private key never goes anywhere', () => {
  const compact = recovery.replace(/ /g, '');
  assert.match(requestLeaks([req(`${HS}/x`, { method: 'PUT', body: compact })], new Map())[0]!, /^recovery-key "recovery key of k"/);
  const seed = new Uint8Array(randomBytes(32));
  registerPrivateKey(seed, 'a seed');
  const b64 = Buffer.from(seed).toString('base64').replace(/=+$/, '');
  assert.match(requestLeaks([req(`${HS}/x`, { method: 'PUT', body: `{"k":"${b64}"}` })], new Map())[0]!, /^private-key "a seed"/);
});

test('origins: one finding per unexpected origin; browser noise is allowed but not a secret in it', () => {
  const stray = 'http://127.0.0.1:9';
  assert.deepEqual(requestLeaks([req(`${stray}/a`), req(`${stray}/b?q=${token}`)], new Map()).filter((l) => l.includes('non-allowed')),
    [`2 request(s) to non-allowed origin ${stray}, first: GET ${stray}/a`]);
  assert.deepEqual(requestLeaks([req(`${stray}/a`)], new Map([[stray, 'server']])), []);
  assert.deepEqual(requestLeaks([req('https://accounts.google.com:443', { method: 'CONNECT', origin: 'https://accounts.google.com' })], new Map()), []);
  assert.equal(requestLeaks([req('http://update.googleapis.com/service/update2/json', { method: 'POST', body: password })], new Map()).length, 1);
});

test('an Authorization header goes to homeservers only; the extension does not fetch the page server', () => {
  assert.match(requestLeaks([req(`${PAGE}/api`, { authorization: 'Bearer unknown-token', headers: 'referer: x' })], new Map())[0]!, /^an Authorization header sent to a non-homeserver/);
  assert.match(requestLeaks([req(`${PAGE}/`)], new Map())[0]!, /^the extension itself sent a request to a web page's server: GET http:\/\/localhost:18080\/$/);
  // The tab's own navigation and subresources are the page's business.
  assert.deepEqual(requestLeaks([req(`${PAGE}/`, { headers: 'sec-fetch-dest: document' }), req(`${PAGE}/app.js`, { headers: 'sec-fetch-dest: empty\nreferer: http://localhost:18080/' })], new Map()), []);
});

test('storage: nothing registered in local/sync; the access token alone is allowed in session', async () => {
  assert.deepEqual(storageLeaks({ local: '{}', sync: '{}', session: JSON.stringify({ token }) }), []);
  // A fixture web app's refresh token: the extension must never even read it.
  await import('./web-app-pages.ts');
  assert.match(storageLeaks({ local: '{}', sync: '{}', session: '{"r":"refresh-must-never-be-read"}' })[0]!, /^storage\.session holds refresh-token/);
  assert.deepEqual(storageLeaks({ local: JSON.stringify({ token }), sync: JSON.stringify({ password }), session: JSON.stringify({ recovery }) }), [
    'storage.local holds access-token "token of @a" (syt_…, 28 chars)',
    `storage.sync holds password "password of @a" (${password.slice(0, 4)}…, 27 chars)`,
    `storage.session holds recovery-key "recovery key of k" (${recovery.slice(0, 4)}…, ${recovery.length} chars)`,
  ]);
});
