import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createMatrixClient, ConnectionError, MatrixApiError, type FetchLike, type FetchLikeResponse } from '../core/index.ts';
import { readBodyLimited } from '../core/matrix/read-body.ts';
import { createNodeHttpFetch } from './node-http-fetch.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real HTTP server on loopback; each test sets the handler and reads what arrived. */
async function startServer(): Promise<{ url: string; server: Server; set(h: Handler): void; connections: () => number; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  let handler: Handler = (_req, _body, res) => res.end('{}');
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, set: (h) => (handler = h), connections: () => connections, seen };
}

async function text(response: FetchLikeResponse): Promise<string> {
  return new TextDecoder().decode(await readBodyLimited(response, 1 << 20, 'GET /test'));
}

const GET = { method: 'GET', redirect: 'error' } as const;

describe('createNodeHttpFetch', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  const http = createNodeHttpFetch();
  before(async () => (srv = await startServer()));
  after(() => {
    http.close();
    srv.server.closeAllConnections();
    srv.server.close();
  });

  it('answers as Node\'s own fetch does: status, headers (any case, repeats joined), body', async () => {
    srv.set((_req, _body, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Many', ['one', 'two']);
      res.statusCode = 418;
      res.end('{"ok":true,"é":"ü"}');
    });
    const ours = await http.fetch(`${srv.url}/a?b=c`, GET);
    const undici = await fetch(`${srv.url}/a?b=c`, GET);
    assert.equal(ours.status, 418);
    assert.equal(ours.status, undici.status);
    for (const name of ['content-type', 'Content-Type', 'x-many', 'content-length', 'absent']) {
      assert.equal(ours.headers.get(name), undici.headers.get(name), name);
    }
    assert.equal(await text(ours), await undici.text());
    assert.equal(srv.seen.at(-2)?.url, '/a?b=c');
  });

  it('sends the method, headers and a UTF-8 body with its byte length, no cookie', async () => {
    srv.set((_req, _body, res) => res.end('{}'));
    const body = JSON.stringify({ name: 'Élodie’s 📱' });
    const res = await http.fetch(`${srv.url}/_matrix/client/v3/keys/query`, {
      method: 'POST', redirect: 'error', body, headers: { Authorization: 'Bearer t0k', 'Content-Type': 'application/json' },
    });
    await text(res);
    const got = srv.seen.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.body, body);
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(got.headers.authorization, 'Bearer t0k');
    assert.equal(got.headers.cookie, undefined);
    assert.equal(got.headers['accept-encoding'], 'gzip, deflate, br');
  });

  it('never follows a redirect: `error` rejects, `manual` hands the 3xx back', async () => {
    srv.set((_req, _body, res) => {
      res.writeHead(302, { Location: 'http://elsewhere.invalid/steal' });
      res.end();
    });
    const before = srv.seen.length;
    await assert.rejects(http.fetch(`${srv.url}/r`, GET), (e: unknown) => e instanceof TypeError && /redirect \(302\)/.test(String((e as Error).cause)));
    const manual = await http.fetch(`${srv.url}/r`, { method: 'GET', redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get('location'), 'http://elsewhere.invalid/steal');
    await manual.body?.cancel();
    assert.equal(srv.seen.length, before + 2, 'nothing went to the redirect target');
  });

  it('decodes gzip, deflate and br bodies as they are read; a corrupt one fails the read', async () => {
    const payload = JSON.stringify({ device_keys: { '@a:b': Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`D${i}`, { i }])) } });
    for (const [coding, encode] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      srv.set((_req, _body, res) => {
        res.setHeader('Content-Encoding', coding);
        res.end(encode(payload));
      });
      assert.equal(await text(await http.fetch(`${srv.url}/z`, GET)), payload, coding);
    }
    srv.set((_req, _body, res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(Buffer.from('not gzip at all'));
    });
    const broken = await http.fetch(`${srv.url}/z`, GET);
    await assert.rejects(text(broken));
  });

  it('counts the byte cap in decoded bytes: a small gzip bomb is refused', async () => {
    srv.set((_req, _body, res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipSync(Buffer.alloc(4 << 20, 0x20)));
    });
    const res = await http.fetch(`${srv.url}/bomb`, GET);
    await assert.rejects(readBodyLimited(res, 1 << 20, 'GET /bomb'), (e: unknown) => e instanceof ConnectionError && e.kind === 'too-large');
  });

  it('aborts before sending, while waiting for the answer, and while reading the body', async () => {
    const before = srv.seen.length;
    const early = new AbortController();
    early.abort();
    await assert.rejects(http.fetch(`${srv.url}/never`, { ...GET, signal: early.signal }), { name: 'AbortError' });
    assert.equal(srv.seen.length, before, 'an aborted request is not sent');

    let stalled: ServerResponse | undefined;
    srv.set((_req, _body, res) => (stalled = res));
    const waiting = new AbortController();
    const pending = http.fetch(`${srv.url}/slow`, { ...GET, signal: waiting.signal });
    while (srv.seen.length === before) await new Promise((r) => setImmediate(r));
    waiting.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    stalled?.destroy();

    srv.set((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"partial":'); // and nothing more
    });
    const reading = new AbortController();
    const res = await http.fetch(`${srv.url}/half`, { ...GET, signal: reading.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(first.done, false);
    const next = reader.read();
    reading.abort();
    await assert.rejects(next, { name: 'AbortError' });
  });

  it('a body that fails while nobody reads it fails the next read, and never the process', async () => {
    srv.set((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"cut":');
      setImmediate(() => res.socket?.destroy()); // the connection drops mid-body
    });
    const res = await http.fetch(`${srv.url}/cut`, GET);
    // Let the drop happen before anyone reads: without a listener, an 'error' event would throw.
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(text(res));
  });

  it('rejects with TypeError("fetch failed") and the socket\'s error as cause, like undici', async () => {
    const closed = await startServer();
    const url = closed.url;
    closed.server.close();
    await new Promise((r) => closed.server.once('close', r));
    const ours = await http.fetch(`${url}/x`, GET).catch((e: unknown) => e);
    const undici = await fetch(`${url}/x`).catch((e: unknown) => e);
    assert.ok(ours instanceof TypeError && undici instanceof TypeError);
    assert.equal(ours.message, undici.message);
    assert.equal((ours.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.equal((ours.cause as NodeJS.ErrnoException).code, (undici.cause as NodeJS.ErrnoException).code);
    await assert.rejects(http.fetch('ftp://127.0.0.1/x', GET), TypeError);
    await assert.rejects(http.fetch('not a url', GET), TypeError);
  });

  it('keeps one connection alive across requests, and survives the server closing it', async () => {
    const own = await startServer();
    const client = createNodeHttpFetch();
    try {
      for (let i = 0; i < 3; i++) await text(await client.fetch(`${own.url}/k${i}`, GET));
      assert.equal(own.connections(), 1);
      // The server drops every idle connection: the next request still gets its answer, on a new one
      // (whether the client saw the close first or only when its request failed on the old socket).
      own.server.closeIdleConnections();
      assert.equal(await text(await client.fetch(`${own.url}/after-close`, { method: 'POST', redirect: 'error', body: '{}' })), '{}');
      assert.equal(own.seen.at(-1)?.url, '/after-close');
      assert.equal(own.seen.filter((s) => s.url === '/after-close').length, 1, 'sent once');
    } finally {
      client.close();
      own.server.close();
    }
  });

  it('sends a request once more, on a new connection, when its reused connection was dropped unanswered', async () => {
    // A raw server: the first connection answers one request and drops the next one it reads,
    // exactly what a server closing an idle kept-alive connection looks like to the client.
    let connectionCount = 0;
    const requestsSeen: string[] = [];
    const raw = createNetServer((socket) => {
      const n = ++connectionCount;
      let answered = 0;
      let buffer = '';
      socket.on('data', (d: Buffer) => {
        buffer += d.toString('latin1');
        while (buffer.includes('\r\n\r\n')) {
          const head = buffer.slice(0, buffer.indexOf('\r\n\r\n'));
          buffer = buffer.slice(head.length + 4);
          requestsSeen.push(`${n}:${head.split(' ')[1]}`);
          if (n === 1 && answered === 1) return void socket.destroy();
          answered++;
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}');
        }
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const client = createNodeHttpFetch();
    try {
      assert.equal(await text(await client.fetch(`${url}/first`, GET)), '{}');
      assert.equal(await text(await client.fetch(`${url}/second`, GET)), '{}');
      assert.deepEqual(requestsSeen, ['1:/first', '1:/second', '2:/second']);
      // A fresh connection dropped unanswered is an error, not a retry: nothing says the server did not act.
      const drop = createNetServer((socket) => socket.once('data', () => socket.destroy()));
      await new Promise<void>((resolve) => drop.listen(0, '127.0.0.1', resolve));
      const error = await client.fetch(`http://127.0.0.1:${(drop.address() as AddressInfo).port}/x`, GET).catch((e: unknown) => e);
      drop.close();
      assert.ok(error instanceof TypeError, String(error));
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
    } finally {
      client.close();
      raw.close();
    }
  });

  it('says when a request has left (onSent), once, also when it could not be made', async () => {
    srv.set((_req, _body, res) => res.end('{}'));
    let calls = 0;
    const res = await http.fetch(`${srv.url}/sent`, { ...GET, onSent: () => calls++ });
    await text(res);
    assert.equal(calls, 1);
    const closed = await startServer();
    closed.server.close();
    await new Promise((r) => closed.server.once('close', r));
    let failed = 0;
    await assert.rejects(http.fetch(`${closed.url}/x`, { ...GET, onSent: () => failed++ }), TypeError);
    assert.equal(failed, 1);
  });

  it('is the transport of the core\'s client: errcodes, Retry-After and the token kept out of messages', async () => {
    srv.set((_req, _body, res) => {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '7' });
      res.end('{"errcode":"M_LIMIT_EXCEEDED","error":"slow down"}');
    });
    const client = createMatrixClient({ baseUrl: srv.url, accessToken: 'syt_secret_token', fetch: http.fetch });
    const error = await client.whoami().catch((e: unknown) => e);
    assert.ok(error instanceof MatrixApiError);
    assert.equal(error.errcode, 'M_LIMIT_EXCEEDED');
    assert.equal(error.retryAfterMs, 7000);
    assert.ok(!String(error.message).includes('syt_secret_token'));
    assert.equal(srv.seen.at(-1)?.headers.authorization, 'Bearer syt_secret_token');
  });

  it('a FetchLike is what globalThis.fetch already is (the extension passes its own)', () => {
    const global: FetchLike = fetch;
    assert.equal(typeof global, 'function');
  });
});

describe('createNodeHttpFetch over TLS', () => {
  let dir: string;
  let cert: string;
  let key: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xsign-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function tlsServer(): Promise<{ url: string; close(): void }> {
    const sockets = new Set<Socket>();
    const server = createTlsServer({ cert, key }, (_req, res) => res.end('{"tls":true}'));
    server.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `https://localhost:${(server.address() as AddressInfo).port}`, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
  }

  it('checks the certificate: a self-signed one is refused', async () => {
    const server = await tlsServer();
    const http = createNodeHttpFetch();
    try {
      const error = await http.fetch(`${server.url}/x`, GET).catch((e: unknown) => e);
      assert.ok(error instanceof TypeError);
      assert.match(String((error.cause as NodeJS.ErrnoException).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
    } finally {
      http.close();
      server.close();
    }
  });

  it('talks https to a server whose certificate the process trusts (NODE_EXTRA_CA_CERTS)', async () => {
    const server = await tlsServer();
    try {
      // NODE_EXTRA_CA_CERTS is read when a process starts, so the request runs in a child.
      const script = `import { createNodeHttpFetch } from ${JSON.stringify(new URL('./node-http-fetch.ts', import.meta.url).href)};
        const http = createNodeHttpFetch();
        const res = await http.fetch(${JSON.stringify(`${server.url}/x`)}, { method: 'GET', redirect: 'error' });
        const reader = res.body.getReader(); let text = '';
        for (;;) { const { done, value } = await reader.read(); if (done) break; text += Buffer.from(value).toString(); }
        http.close(); console.log(res.status, text);`;
      // Spawned asynchronously: this process serves the TLS answers the child waits for.
      const child = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        proc.once('error', reject);
        proc.once('close', (status) => resolve({ stdout, stderr, status }));
      });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), '200 {"tls":true}');
    } finally {
      server.close();
    }
  });
});
