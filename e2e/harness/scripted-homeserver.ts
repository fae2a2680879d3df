/**
 * A SCRIPTED HOMESERVER STAND-IN — not a homeserver. A node:http server with a small route table
 * that answers exactly what a test scripts, recording every request it receives.
 *
 * Why it exists: the Synapse the e2e tests run cannot offer some UIA stages without an external
 * identity provider (m.login.sso fallback, m.oauth / org.matrix.cross_signing_reset under MAS),
 * and cannot be made to answer with hostile bodies. The scripts built on this (stand-in-account.ts,
 * stand-in-uia.ts) reproduce Synapse's DOCUMENTED responses (docs/matrix-api.md#synapse-upload-uia, docs/matrix-api.md#uia-challenge, docs/matrix-api.md#uia-fallback, docs/matrix-api.md#uia-oauth),
 * with account data seeded from a real Synapse account.
 *
 * Like Synapse it sends `Access-Control-Allow-Origin: *` on every answer and answers CORS
 * preflights itself (synapse/http/server.py set_cors_headers), so the extension's fetch works
 * with or without host permissions. Unmatched requests get Synapse's 404 `M_UNRECOGNIZED`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowOrigin } from './allowed-origins.ts';

export type RecordedRequest = {
  method: string;
  /** The path as sent (not percent-decoded). */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The body exactly as received (UTF-8), for byte-for-byte assertions. */
  rawBody: string;
  /** The body parsed as JSON, or undefined if empty / not JSON. */
  json: unknown;
  at: number;
};

export type RouteContext = {
  req: RecordedRequest;
  res: ServerResponse;
  /** Capture groups of a RegExp path, decoded. */
  params: string[];
  /** The stand-in itself, for scripts that look at earlier requests. */
  hs: ScriptedHomeserver;
};

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

export interface ScriptedHomeserver {
  /** http://127.0.0.1:<port> — the "homeserver" origin. */
  readonly baseUrl: string;
  /** http://localhost:<port> — the same server under a second origin (e.g. an account-management UI). */
  readonly otherOrigin: string;
  /** Every request received, in order (CORS preflights excluded). */
  readonly requests: RecordedRequest[];
  /**
   * Add a route. The NEWEST matching route wins, so a test can override a default route.
   * `path` is matched against the whole path (a string exactly, a RegExp anchored by the caller).
   */
  route(method: string, path: string | RegExp, handler: RouteHandler): void;
  /**
   * Press the element with this data-testid in whichever stand-in page shows it (through
   * PRESS_HOOK). For windows a test driver cannot reach: puppeteer-core over WebDriver BiDi does
   * not list a window that an extension page opened with window.open (Firefox 153).
   */
  press(testId: string): void;
  /** Requests matching method and path, in order. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'X-Requested-With, Content-Type, Authorization, Date',
};

/** Answer JSON the way Synapse does (one body, Content-Length set). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...CORS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

/** Headers for a handler that streams its own body. */
export const corsHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({ ...CORS, ...extra });

/**
 * Include in a stand-in page that has something to press: the page asks the stand-in every 200 ms
 * whether the test pressed something, and clicks it itself — the page's own handler runs.
 */
export const PRESS_HOOK = `<script>(function poll() {
  fetch('/_stand-in/press').then((r) => r.text()).then((id) => {
    const target = id && document.querySelector('[data-testid="' + id + '"]');
    if (target) target.click(); else setTimeout(poll, 200);
  }, () => setTimeout(poll, 200));
})();</script>`;

const matches = (path: string | RegExp, actual: string): string[] | null => {
  if (typeof path === 'string') return path === actual ? [] : null;
  const m = path.exec(actual);
  return m === null ? null : m.slice(1).map((s) => decodeURIComponent(s ?? ''));
};

export async function startScriptedHomeserver(): Promise<ScriptedHomeserver> {
  const routes: { method: string; path: string | RegExp; handler: RouteHandler }[] = [];
  const requests: RecordedRequest[] = [];
  const pressed: string[] = [];

  const server = createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      if (incoming.method === 'OPTIONS') {
        res.writeHead(204, CORS);
        res.end();
        return;
      }
      const url = new URL(incoming.url ?? '/', 'http://stand-in');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        // Recorded as raw text only: the script decides whether that is an error.
        json = undefined;
      }
      const req: RecordedRequest = {
        method: incoming.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: incoming.headers, rawBody, json, at: Date.now(),
      };
      if (req.path === '/_stand-in/press') {
        // The page-side test hook, not part of what the stand-in stands in for: not recorded.
        const id = pressed.shift() ?? '';
        res.writeHead(200, { ...CORS, 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
        res.end(id);
        return;
      }
      requests.push(req);
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const params = matches(route.path, req.path);
        if (params === null) continue;
        Promise.resolve(route.handler({ req, res, params, hs: self })).catch((error: unknown) => {
          if (!res.headersSent) sendJson(res, 500, { errcode: 'M_UNKNOWN', error: `stand-in script failed: ${String(error)}` });
          else res.destroy();
        });
        return;
      }
      sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    });
  });
  // '::' is dual-stack: both 127.0.0.1 and `localhost` (which may resolve to ::1) reach it.
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const port = (server.address() as AddressInfo).port;
  // For the leak watch: a homeserver the extension may talk to; its second origin plays the
  // account-management (MAS) host whose pages the user opens.
  allowOrigin(`http://127.0.0.1:${port}`, 'homeserver');
  allowOrigin(`http://localhost:${port}`, 'page');

  const self: ScriptedHomeserver = {
    baseUrl: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    requests,
    route(method, path, handler) {
      routes.unshift({ method, path, handler });
    },
    press: (testId) => void pressed.push(testId),
    requestsTo: (method, path) => requests.filter((r) => r.method === method && matches(path, r.path) !== null),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return self;
}
