/**
 * Read a response body with a byte cap, so a hostile or broken server cannot make the
 * extension buffer an unbounded (or decompression-bomb) body.
 */
import { ConnectionError } from './errors.ts';
import type { FetchLikeResponse } from './fetch-like.ts';
import { say } from '../words/say.ts';

/**
 * Read the whole body of `response`, streaming, and stop as soon as it exceeds `maxBytes`.
 * @param label `METHOD /path`, for messages.
 * @throws {ConnectionError} kind `too-large` when the declared or actual size exceeds `maxBytes`.
 * @throws whatever the stream throws (abort, connection dropped mid-body); the caller classifies it.
 */
export async function readBodyLimited(response: FetchLikeResponse, maxBytes: number, label: string): Promise<Uint8Array> {
  const tooLarge = (): ConnectionError =>
    new ConnectionError(
      say('core_mx_too_large', label, maxBytes),
      { kind: 'too-large', status: response.status },
    );

  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    cancelQuietly(response.body);
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array(0);

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      cancelQuietly(reader);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Release the connection without waiting; a failure to cancel changes nothing for us. */
function cancelQuietly(stream: { cancel(): Promise<void> } | null): void {
  // The promise handles its own rejection: we are already reporting a better error.
  if (stream !== null) void stream.cancel().catch(() => undefined);
}
