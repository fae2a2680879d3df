/**
 * Matrix "unpadded Base64" (spec appendices §Unpadded Base64): the standard RFC 4648 alphabet
 * (`+` and `/`, never the URL-safe one) with the `=` padding removed.
 *
 * Encoding always omits padding. Decoding also accepts padded input, because the spec says some
 * implementations pad and "clients must accept either encoding" (secrets module; docs/matrix-api.md#secret-storage-account-data),
 * and js-sdk and dart do write padded base64.
 */
import { base64nopad } from '@scure/base';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

/** Thrown when a string is not valid (padded or unpadded) standard base64. */
export class Base64Error extends Error {
  override name = 'Base64Error';
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Whole-string shape: alphabet characters, then at most two '='. Whitespace, '-', '_' and
// anything else is junk; length/padding consistency is checked separately.
const SHAPE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Encode bytes as unpadded standard base64 (spec appendices §Unpadded Base64).
 *
 * @param bytes - Bytes to encode.
 * @returns Unpadded base64, e.g. `Zm9vYg` for `foob`.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  return base64nopad.encode(bytes);
}

/**
 * Decode standard base64, padded or unpadded.
 *
 * Lenient about non-zero trailing bits in the last character: the spec's own signing seed
 * `YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1` has them (docs/matrix-api.md#spec-signing-vectors), and `atob`,
 * Node's Buffer and Python all ignore them, so a strict decoder would reject real-world keys.
 *
 * @param text - Base64 text, with or without `=` padding.
 * @returns The decoded bytes.
 * @throws {TypeError} If `text` is not a string.
 * @throws {Base64Error} On characters outside the standard alphabet (including whitespace and the
 *   URL-safe `-`/`_`), misplaced or partial padding, or a length that no byte string can have.
 */
export function decodeBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  if (!SHAPE.test(text)) throw new Base64Error('Invalid base64: unexpected character');

  const padStart = text.indexOf('=');
  const body = padStart === -1 ? text : text.slice(0, padStart);
  const remainder = body.length % 4;
  // 4n+1 characters cannot come from any byte string (6 bits never make a whole byte).
  if (remainder === 1) throw new Base64Error('Invalid base64: impossible length');
  if (padStart !== -1) {
    // Padding, when present, must complete the final quantum exactly (RFC 4648 §3.2).
    const padding = text.length - padStart;
    if (remainder === 0 || padding !== 4 - remainder) throw new Base64Error('Invalid base64: bad padding');
  }
  try {
    return base64nopad.decode(clearTrailingBits(body, remainder));
  } catch (error) {
    // Unreachable after the checks above; kept so callers only ever see Base64Error for bad text.
    throw new Base64Error(`Invalid base64: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Zero the unused low bits of the final character so the strict @scure/base decoder accepts it.
 * 2 leftover characters carry 12 bits for 1 byte (4 spare), 3 carry 18 bits for 2 bytes (2 spare).
 */
function clearTrailingBits(body: string, remainder: number): string {
  if (remainder === 0) return body;
  const spare = remainder === 2 ? 0b1111 : 0b11;
  const last = ALPHABET.indexOf(body.charAt(body.length - 1));
  const cleared = last & ~spare;
  return cleared === last ? body : body.slice(0, -1) + ALPHABET.charAt(cleared);
}

/**
 * Decode base64 from untrusted input without throwing.
 *
 * @param text - Any value; only strings can succeed.
 * @returns `ok(bytes)`, or `fail(message)` when `text` is not a string or not valid base64.
 */
export function tryDecodeBase64(text: unknown): Result<Uint8Array> {
  if (typeof text !== 'string') return fail('Invalid base64: expected a string');
  try {
    return ok(decodeBase64(text));
  } catch (error) {
    if (error instanceof Base64Error) return fail(error.message);
    throw error;
  }
}
