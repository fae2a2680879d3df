import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMatrixClient, ConnectionError } from '../core/index.ts';
import { plannedKeysQuery, withEarlyKeysQuery } from './early-read.ts';
import { createNodeHttpFetch } from './node-http-fetch.ts';

const ACCOUNT = '@alice:example.org';
const TOKEN = 'syt_early_token';
const env = { XSIGN_TOKEN: TOKEN };

/** A loopback homeserver that records each request and answers keys/query with one device. */
async function homeserver(): Promise<{ url: string; server: Server; seen: { method: string; url: string; body: string; auth?: string }[]; hold: (on: boolean) => void }> {
  const seen: { method: string; url: string; body: string; auth?: string }[] = [];
  let holding = false;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (holding) return; // never answers: the caller's abort has to end it
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ device_keys: {}, failures: {}, master_keys: {}, self_signing_keys: {}, user_signing_keys: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen, hold: (on) => (holding = on) };
}

describe('plannedKeysQuery: what may be sent before the CLI is loaded', () => {
  const hs = 'https://matrix.example.org/';
  it('plans status --account\'s keys/query with the token from XSIGN_TOKEN or --token', () => {
    const planned = plannedKeysQuery(['status', '--homeserver', hs, '--account', ACCOUNT, '--json'], env);
    assert.deepEqual(planned, {
      url: 'https://matrix.example.org/_matrix/client/v3/keys/query',
      body: JSON.stringify({ device_keys: { [ACCOUNT]: [] } }),
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(plannedKeysQuery(['status', `--homeserver=${hs}`, `--account=${ACCOUNT}`, '--token', 'syt_flag'], env)?.authorization, 'Bearer syt_flag');
  });

  it('plans nothing for anything else', () => {
    const base = ['--homeserver', hs, '--account', ACCOUNT];
    for (const [argv, e] of [
      [['users', ...base], env],
      [['status', '--homeserver', hs], env], // no --account: the user ID comes from whoami
      [['status', ...base], {}], // no token
      [['status', ...base], { XSIGN_TOKEN: 'has space' }], // a token the client refuses
      [['status', ...base, '--token-file', '/tmp/t'], env], // read later, by the CLI
      [['status', ...base, '--help'], env],
      [['status', ...base, 'stray'], env], // a usage error
      [['status', ...base, '--unknown'], env],
      [['status', '--homeserver', 'ftp://x', '--account', ACCOUNT], env],
      [['status', '--homeserver', 'https://u:p@x', '--account', ACCOUNT], env],
      [['status', '--homeserver', hs, '--account', 'not-a-user-id'], env],
      // A flag's value that looks like another flag belongs to that flag, as in the CLI's parser.
      [['status', '--state-file', '--homeserver', 'https://evil.example', '--account', ACCOUNT], env],
    ] as [string[], Record<string, string>][]) {
      assert.equal(plannedKeysQuery(argv, e), undefined, argv.join(' '));
    }
  });
});

describe('withEarlyKeysQuery against a real HTTP server, through the core\'s client', () => {
  let hs: Awaited<ReturnType<typeof homeserver>>;
  const http = createNodeHttpFetch();
  before(async () => (hs = await homeserver()));
  after(() => {
    http.close();
    hs.server.closeAllConnections();
    hs.server.close();
  });

  it('sends the request the core sends, once: the core\'s equal request gets its answer', async () => {
    hs.seen.length = 0;
    const { fetch, sent } = withEarlyKeysQuery(['status', '--homeserver', hs.url, '--account', ACCOUNT], env, http.fetch);
    await sent;
    const client = createMatrixClient({ baseUrl: hs.url, accessToken: TOKEN, fetch });
    const keys = await client.queryKeys([ACCOUNT]);
    assert.deepEqual(keys.response.device_keys, {});
    assert.deepEqual(hs.seen, [{ method: 'POST', url: '/_matrix/client/v3/keys/query', body: JSON.stringify({ device_keys: { [ACCOUNT]: [] } }), auth: `Bearer ${TOKEN}` }]);
    // Served once: the same request again, and any other, go to the server.
    await client.queryKeys([ACCOUNT]);
    await client.queryKeys(['@bob:example.org']);
    await client.whoami().catch(() => undefined);
    assert.equal(hs.seen.length, 4);
  });

  it('is not served to a request with another token, body or address', async () => {
    hs.seen.length = 0;
    const { fetch, sent } = withEarlyKeysQuery(['status', '--homeserver', hs.url, '--account', ACCOUNT], env, http.fetch);
    await sent;
    await createMatrixClient({ baseUrl: hs.url, accessToken: 'syt_other', fetch }).queryKeys([ACCOUNT]);
    await createMatrixClient({ baseUrl: hs.url, accessToken: TOKEN, fetch }).queryKeys([ACCOUNT, '@bob:example.org']);
    assert.deepEqual(hs.seen.map((s) => s.auth), [`Bearer ${TOKEN}`, 'Bearer syt_other', `Bearer ${TOKEN}`]);
  });

  it('hands the core\'s timeout to the early request once served', async () => {
    hs.seen.length = 0;
    hs.hold(true);
    try {
      const { fetch, sent } = withEarlyKeysQuery(['status', '--homeserver', hs.url, '--account', ACCOUNT], env, http.fetch);
      await sent;
      const client = createMatrixClient({ baseUrl: hs.url, accessToken: TOKEN, fetch, timeoutMs: 50 });
      await assert.rejects(client.queryKeys([ACCOUNT]), (e: unknown) => e instanceof ConnectionError && e.kind === 'timeout');
      assert.equal(hs.seen.length, 1, 'the early request was the one that timed out');
    } finally {
      hs.hold(false);
    }
  });

  it('settles `sent` when nothing is planned, and when the request cannot be made', async () => {
    const nothing = withEarlyKeysQuery(['status', '--homeserver', hs.url], env, http.fetch);
    await nothing.sent;
    assert.equal(nothing.fetch, http.fetch);
    const closed = await homeserver();
    closed.server.close();
    const refused = withEarlyKeysQuery(['status', '--homeserver', closed.url, '--account', ACCOUNT], env, http.fetch);
    await refused.sent;
    const client = createMatrixClient({ baseUrl: closed.url, accessToken: TOKEN, fetch: refused.fetch });
    await assert.rejects(client.queryKeys([ACCOUNT]), (e: unknown) => e instanceof ConnectionError && e.kind === 'network' && /ECONNREFUSED/.test(e.message));
  });
});
