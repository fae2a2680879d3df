/**
 * A fault-injecting HTTP proxy in front of the test Synapse. Everything is forwarded unchanged
 * (method, path, headers, body; the answer's status, headers — CORS included — and body), except
 * requests matched by a rule, which get the rule's fault. Every request is logged.
 *
 * Faults come in two families, and tests must tell them apart:
 * - the request never reaches Synapse (`http-500`, `http-502-html`, `rate-limited-429`,
 *   `reset-before`, `hang`): the server state is unchanged by it;
 * - Synapse processed it but the answer is lost or mangled (`reset-after`, `truncated`,
 *   `not-json-200`, `hang-after`): the write happened, the client cannot know.
 *   {@link reachesServer} says which.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { allowOrigin } from './allowed-origins.ts';

export const FAULT_KINDS = [
  'http-500', 'http-502-html', 'truncated', 'not-json-200', 'rate-limited-429', 'reset-before', 'reset-after', 'hang', 'hang-after',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Does Synapse process a request that gets this fault? */
export const reachesServer = (fault: FaultKind): boolean =>
  fault === 'reset-after' || fault === 'truncated' || fault === 'not-json-200' || fault === 'hang-after';

export interface FaultRule {
  method: string;
  /** The exact percent-encoded path (no query), or a pattern over it. */
  path: string | RegExp;
  /** Only the nth matching request (1-based); default every matching request. */
  nth?: number;
  fault: FaultKind;
  /** For `rate-limited-429` (default 200). */
  retryAfterMs?: number;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The fault applied, if any. */
  fault?: FaultKind;
  /** The status Synapse answered, when the request was forwarded. */
  upstreamStatus?: number;
  at: number;
  /** The request body as text ('' when none): what a server at this address would have read. */
  body: string;
}

export interface FaultProxy {
  /** Base URL to give the client instead of Synapse's. */
  readonly url: string;
  readonly log: readonly ProxyLogEntry[];
  add(rule: FaultRule): void;
  /** Drop every rule (requests already hanging stay hung until the client gives up). */
  clear(): void;
  /**
   * Resolves when a request matching `rule` got its fault: at once for faults that never reach
   * Synapse, once Synapse has answered for the others (so the write is done).
   */
  hit(rule: FaultRule): Promise<ProxyLogEntry>;
  close(): Promise<void>;
}

const CORS = { 'access-control-allow-origin': '*' };
const json = (status: number, body: unknown) => ({ status, type: 'application/json', text: JSON.stringify(body) });

interface Upstream { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host };
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

const matches = (rule: FaultRule, method: string, path: string): boolean =>
  rule.method === method && (typeof rule.path === 'string' ? rule.path === path : rule.path.test(path));

/** Start a proxy to `upstreamUrl` (http only) on a free localhost port. */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const target = new URL(upstreamUrl);
  let rules: { rule: FaultRule; seen: number }[] = [];
  const log: ProxyLogEntry[] = [];
  const waiters: { rule: FaultRule; resolve: (e: ProxyLogEntry) => void }[] = [];
  const sockets = new Set<Socket>();

  const pick = (method: string, path: string): FaultRule | undefined => {
    let chosen: FaultRule | undefined;
    for (const r of rules) {
      if (!matches(r.rule, method, path)) continue;
      r.seen += 1; // every rule counts its own occurrences, whichever fires
      if (chosen === undefined && (r.rule.nth === undefined || r.rule.nth === r.seen)) chosen = r.rule;
    }
    return chosen;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const body = await readBody(req);
    const rule = pick(method, path);
    const entry: ProxyLogEntry = { method, path, at: Date.now(), body: body.toString('utf8'), ...(rule === undefined ? {} : { fault: rule.fault }) };
    log.push(entry);
    const fired = () => {
      for (const w of waiters.filter((x) => x.rule === rule)) w.resolve(entry);
    };
    if (rule !== undefined && !reachesServer(rule.fault)) fired();
    const send = (a: { status: number; type: string; text: string }) => {
      res.writeHead(a.status, { ...CORS, 'content-type': a.type, 'content-length': Buffer.byteLength(a.text) });
      res.end(a.text);
    };
    switch (rule?.fault) {
      case 'http-500': return send(json(500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }));
      case 'http-502-html': return send({ status: 502, type: 'text/html', text: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' });
      case 'rate-limited-429': return send(json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: rule.retryAfterMs ?? 200 }));
      case 'reset-before': req.socket.destroy(); return;
      case 'hang': return; // never answered; the socket closes when the client gives up
      default: break;
    }
    let up: Upstream;
    try {
      up = await forward(target, req, body);
    } catch {
      res.socket?.destroy();
      return;
    }
    entry.upstreamStatus = up.status;
    if (rule !== undefined) fired();
    switch (rule?.fault) {
      case 'hang-after': return; // Synapse did it; the answer never comes
      case 'reset-after': req.socket.destroy(); return;
      case 'not-json-200': return send({ status: 200, type: 'text/plain', text: 'OK' });
      case 'truncated': {
        // Announce the whole body, send half of it, then drop the connection.
        const headers: Upstream['headers'] = { ...up.headers, 'content-length': String(up.body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(up.status, headers);
        res.write(up.body.subarray(0, Math.max(1, Math.floor(up.body.length / 2))), () => res.socket?.destroy());
        return;
      }
      default: {
        const headers = { ...up.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(up.body.length);
        res.writeHead(up.status, headers);
        res.end(up.body);
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // For the leak watch: a front of the homeserver, so its tokens and passwords may go here.
  allowOrigin(`http://127.0.0.1:${port}`, 'homeserver', { frontsFor: upstreamUrl });

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    add(rule) { rules.push({ rule, seen: 0 }); },
    clear() { rules = []; },
    hit: (rule) => new Promise((resolve) => waiters.push({ rule, resolve })),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
