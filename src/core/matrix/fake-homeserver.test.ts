/**
 * Test helper, not a test: a real `node:http` server on 127.0.0.1 with scripted,
 * Synapse-shaped answers. Named `*.test.ts` so the core build and the purity guard
 * (src/layout.test.ts) skip it; run directly it registers no tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as it arrived on the wire. `path` is the raw request target, not decoded. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface FakeHomeserver {
  url: string;
  requests: RecordedRequest[];
  /** Replace the script. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Reply with JSON, like Synapse does. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Start a server; the default script answers 404 M_UNRECOGNIZED like Synapse. */
export async function startFakeHomeserver(handler?: Handler): Promise<FakeHomeserver> {
  let current: Handler = handler ?? ((_req, res) => sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }));
  const requests: RecordedRequest[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const req: RecordedRequest = {
        method: raw.method ?? '',
        path: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(req);
      current(req, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hanging scripts keep sockets open
        server.close(() => resolve());
      }),
  };
}
