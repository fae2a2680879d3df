/**
 * The CLI's fetch: HTTP/1.1 over node:http and node:https, shaped as the core's `FetchLike`.
 *
 * Why not Node's global fetch: Node loads its fetch (undici) on first use, which costs a cold
 * process about 40 ms before its first request leaves, against about 3 ms for node:http, and
 * about twice node:http's time per request after that. `status` is a short-lived process, so that
 * is a tenth of its run on a large account (docs/design.md#cli-http).
 *
 * What it keeps of fetch, because the core relies on it (src/core/matrix/fetch-like.ts):
 * - Redirects are never followed: `redirect: 'error'` rejects on a redirect status, `manual`
 *   returns the 3xx answer as it is.
 * - `signal` aborts before the request, while waiting for the answer, or while the body is read;
 *   the promise or the read rejects with the signal's reason, as fetch's do.
 * - A request that cannot be made rejects with `TypeError('fetch failed')`, the socket's error as
 *   its `cause` (what the core's messages quote, as with undici).
 * - `Accept-Encoding: gzip, deflate, br` and the body decoded as it is read, so the caller's byte
 *   cap counts decoded bytes (a small compressed body cannot expand past it unnoticed).
 * - No cookies, no cache, no proxy variables (Node's fetch reads none either). TLS is Node's, with
 *   its certificate checks.
 * Connections are kept alive between requests; `close()` ends them.
 */
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FetchLikeInit, FetchLikeReader, FetchLikeResponse } from '../core/index.ts';

/** Fetch's redirect statuses (WHATWG Fetch §Statuses). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** FetchLike's options, and one of this fetch's own. */
export interface NodeFetchInit extends FetchLikeInit {
  /** Called once the request has been handed to the network whole, or has failed (src/cli/early-read.ts). */
  onSent?: () => void;
}

export interface NodeHttpFetch {
  fetch: (url: string, init: NodeFetchInit) => Promise<FetchLikeResponse>;
  /** End every kept-alive connection (the process can then exit on its own). */
  close(): void;
}

type Requester = (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;
interface Transport { request: Requester; agent: Agent }

/** A fetch over node:http / node:https with its own kept-alive connections. */
export function createNodeHttpFetch(): NodeHttpFetch {
  const http: Transport = { request: httpRequest, agent: new Agent({ keepAlive: true }) };
  // node:https loads TLS (about 7 ms): only when an https URL is asked for.
  let https: Promise<Transport> | undefined;
  const transportFor = (protocol: string): Transport | Promise<Transport> | undefined => {
    if (protocol === 'http:') return http;
    if (protocol !== 'https:') return undefined;
    https ??= import('node:https').then((m) => ({ request: m.request, agent: new m.Agent({ keepAlive: true }) }));
    return https;
  };

  const fetch = async (url: string, init: NodeFetchInit): Promise<FetchLikeResponse> => {
    const signal = init.signal;
    if (signal?.aborted === true) throw abortReason(signal);
    let target: URL;
    try {
      target = new URL(url);
    } catch (cause) {
      throw new TypeError('fetch failed', { cause });
    }
    const transport = await transportFor(target.protocol);
    if (transport === undefined) throw new TypeError('fetch failed', { cause: new Error(`unsupported scheme ${target.protocol}`) });
    if (isAborted(signal)) throw abortReason(signal!);
    try {
      return await exchange(transport, target, init);
    } catch (error) {
      // A kept-alive connection the server had just closed: nothing of the request was read, so it
      // is sent once more on a new connection (what Node's documentation advises for agents).
      if (!(error instanceof StaleConnection)) throw error;
      return exchange(transport, target, init);
    }
  };

  return {
    fetch,
    close() {
      http.agent.destroy();
      void https?.then((t) => t.agent.destroy());
    },
  };
}

/** The request found its reused connection closed before any answer. */
class StaleConnection extends Error {}

function exchange(transport: Transport, target: URL, init: NodeFetchInit): Promise<FetchLikeResponse> {
  const signal = init.signal;
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br' };
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  if (body !== undefined) headers['content-length'] = String(body.byteLength);

  let sent = init.onSent;
  const tellSent = (): void => {
    sent?.();
    sent = undefined;
  };
  return new Promise<FetchLikeResponse>((resolve, reject) => {
    let answered = false;
    let stream: Readable | undefined;
    const onAbort = (): void => {
      const reason = abortReason(signal!);
      const error = reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
      req.destroy(error);
      stream?.destroy(error);
      if (!answered) reject(reason);
    };
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    const req = transport.request({
      protocol: target.protocol, hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port,
      path: `${target.pathname}${target.search}`, method: init.method, headers, agent: transport.agent,
    }, (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status) && init.redirect === 'error') {
        done();
        res.destroy();
        reject(new TypeError('fetch failed', { cause: new Error(`redirect (${status}) refused: the request does not follow redirects`) }));
        return;
      }
      stream = decoded(res);
      stream.once('close', done);
      // A body nobody reads (a cancelled or ignored answer) may still fail: its error reaches
      // the reader on the next read, never the process as an unhandled 'error' event.
      stream.on('error', () => undefined);
      resolve({
        status,
        type: 'basic',
        headers: { get: (name) => headerValue(res, name) },
        body: bodyOf(stream),
      });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (cause: NodeJS.ErrnoException) => {
      if (answered) return; // the body's stream reports it to its reader
      done();
      tellSent();
      if (signal?.aborted === true) return reject(abortReason(signal));
      if (req.reusedSocket && (cause.code === 'ECONNRESET' || cause.code === 'EPIPE')) return reject(new StaleConnection());
      reject(new TypeError('fetch failed', { cause }));
    });
    req.once('finish', tellSent);
    req.once('close', tellSent);
    req.end(body);
  });
}

/** One header as fetch's `Headers.get` gives it: case-insensitive, repeated values joined. */
function headerValue(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The body with its content codings undone, last applied first (RFC 9110 §8.4). An unknown coding
 * is left as it is, as fetch does; the JSON decoding then fails and says so.
 */
function decoded(res: IncomingMessage): Readable {
  const codings = (headerValue(res, 'content-encoding') ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  const decoders = codings.reverse().map((c) => (c === 'gzip' || c === 'x-gzip' ? createGunzip() : c === 'deflate' ? createInflate() : c === 'br' ? createBrotliDecompress() : undefined));
  if (codings.length === 0 || decoders.includes(undefined)) return res;
  const chain = decoders as Readable[];
  // pipeline destroys every stream when one fails, so a corrupt body rejects the read.
  pipeline([res, ...chain], () => undefined);
  return chain[chain.length - 1]!;
}

/** The body as a ReadableStream's reader: chunks as they arrive, an error as a rejected read. */
function bodyOf(stream: Readable): NonNullable<FetchLikeResponse['body']> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const cancel = async (): Promise<void> => void stream.destroy();
  const reader: FetchLikeReader = {
    async read() {
      const next = await chunks.next();
      return next.done === true ? { done: true } : { done: false, value: next.value };
    },
    cancel,
  };
  return { getReader: () => reader, cancel };
}

/** Read through a call: TypeScript keeps an earlier `aborted` check's narrowing across an await. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** What fetch rejects with on abort: the signal's reason. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
