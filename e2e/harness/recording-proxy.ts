// A forward HTTP proxy on 127.0.0.1 that every e2e browser is pointed at, so the leak watch sees
// every request the browser makes — the extension's background included, which page-level
// network events do not cover in Firefox. It forwards plain http:// requests unchanged and records
// method, URL, Authorization header and body. CONNECT (https://, wss://) is recorded and refused:
// no e2e flow needs TLS, so a tunnel could only be traffic nobody allowed.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RecordedRequest = {
  method: string;
  /** Absolute URL (for CONNECT: `https://host:port`). */
  url: string;
  origin: string;
  authorization?: string;
  /** The request body as text (bodies in these flows are JSON or empty). */
  body: string;
  /** Every header except Authorization, joined, for the secret search. */
  headers: string;
};

export type RecordingProxy = {
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
};

const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

const headerText = (headers: IncomingHttpHeaders): string =>
  Object.entries(headers).filter(([k]) => k !== 'authorization').map(([k, v]) => `${k}: ${String(v)}`).join('\n');

/**
 * @param mayForward which origins the proxy forwards to; every other request is recorded and
 *   answered 403 here, so nothing the test did not allow leaves the machine.
 */
export async function startRecordingProxy(mayForward: (origin: string) => boolean = () => true): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    // A browser that hangs up mid-request is not an error of the test.
    req.on('error', () => res.socket?.destroy());
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let target: URL;
      try {
        // A proxied request line carries the absolute URL; a relative one means someone talked
        // to the proxy as if it were a server.
        target = new URL(req.url ?? '');
      } catch {
        requests.push({ method: req.method ?? '?', url: `relative:${req.url}`, origin: 'invalid', body: body.toString('utf8'), headers: headerText(req.headers) });
        res.writeHead(400).end('absolute URL required');
        return;
      }
      requests.push({
        method: req.method ?? '?',
        url: target.href,
        origin: target.origin,
        ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
        body: body.toString('utf8'),
        headers: headerText(req.headers),
      });
      if (!mayForward(target.origin)) {
        res.writeHead(403).end('origin not allowed by the e2e leak watch');
        return;
      }
      const upstream = httpRequest(
        // agent: false — one connection per request, so no idle keep-alive socket is left to be reset
        // when a test stops its server (an unhandled ECONNRESET after the test ended).
        { host: target.hostname, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: forwardHeaders(req.headers), agent: false },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardHeaders(up.headers));
          // An answer cut off upstream (or by us, below) is cut off for the browser too.
          up.on('error', () => res.socket?.destroy());
          up.pipe(res);
        },
      );
      // Transparent to failures: an upstream reset or refusal resets the browser's connection, so
      // the browser behaves as without the watch (a 502 here would turn a fault proxy's "reset
      // after Synapse answered" into an HTTP error, and browsers retry the one but not the other).
      upstream.on('error', () => res.socket?.destroy());
      upstream.on('socket', (socket) => socket.on('error', () => undefined));
      // The browser hung up mid-answer (e.g. a size limit): hang up upstream too, as a real proxy does.
      res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
      upstream.end(body);
    });
  });
  server.on('connect', (req, socket) => {
    const url = `https://${req.url ?? '?'}`;
    let origin = url;
    // Normalised like every other origin here (https://host:443 is https://host).
    try { origin = new URL(url).origin; } catch { /* not host:port: kept as is, which no test allows */ }
    requests.push({ method: 'CONNECT', url, origin, body: '', headers: headerText(req.headers) });
    // Node hands over a CONNECT/upgrade socket with no error listener: a browser resetting it
    // (Chromium's own background requests do) would be an uncaught ECONNRESET.
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  // WebSocket and other upgrades: recorded and refused for the same reason.
  server.on('upgrade', (req, socket) => {
    const url = req.url ?? '?';
    let origin = 'invalid';
    try { origin = new URL(url).origin; } catch { /* relative: stays 'invalid', which no test allows */ }
    requests.push({ method: `UPGRADE ${req.method ?? ''}`, url, origin, body: '', headers: headerText(req.headers) });
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
