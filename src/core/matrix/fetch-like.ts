/**
 * The part of WHATWG `fetch` the core uses, as a type: the status, one header lookup and a body
 * read chunk by chunk. `globalThis.fetch` is one (the extension passes it); the CLI passes one
 * built on node:http (src/cli/node-http-fetch.ts), because Node's own fetch costs a cold process
 * about 40 ms before its first request (docs/design.md#cli-http).
 */

/** The request options the core sets; every one of them means what it means to `fetch`. */
export interface FetchLikeInit {
  method: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
  /** `error`: a 3xx answer rejects; `manual`: it is returned as it is. */
  redirect: 'error' | 'manual';
  credentials?: 'omit';
  cache?: 'no-store';
}

/** A body read one chunk at a time (a ReadableStream's default reader). */
export interface FetchLikeReader {
  read(): Promise<{ done: true; value?: Uint8Array | undefined } | { done: false; value: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

export interface FetchLikeResponse {
  readonly status: number;
  /** `opaqueredirect` in browsers for a `manual` redirect, whose status is then 0. */
  readonly type?: string;
  readonly headers: { get(name: string): string | null };
  readonly body: FetchLikeBody | null;
}

/** A fetch the core can use: `globalThis.fetch` or an equivalent. */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;

/** A response body: the part of a ReadableStream the core uses. */
export interface FetchLikeBody {
  getReader(): FetchLikeReader;
  cancel(reason?: unknown): Promise<void>;
}
