/**
 * Recovery keys: spec appendices §Cryptographic key representation (docs/matrix-api.md#recovery-key).
 *
 * Layout: base58(0x8B 0x01 ‖ key[32] ‖ parity), where parity is the XOR of all preceding bytes,
 * shown in groups of four characters. The same format is used for the secret-storage key and the
 * backup decryption key.
 */
import { base58 } from '@scure/base';
import { say } from './words/say.ts';

/** Why a recovery key was rejected; each has a human-readable message in {@link RecoveryKeyError}. */
export type RecoveryKeyErrorCode = 'empty' | 'alphabet' | 'length' | 'prefix' | 'parity';

/** Thrown by {@link decodeRecoveryKey}; `code` says what is wrong, `message` is fit to show users. */
export class RecoveryKeyError extends Error {
  override name = 'RecoveryKeyError';
  readonly code: RecoveryKeyErrorCode;

  constructor(code: RecoveryKeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

// §Cryptographic key representation: the two header bytes.
const PREFIX = [0x8b, 0x01] as const;
const KEY_LENGTH = 32;
const DECODED_LENGTH = PREFIX.length + KEY_LENGTH + 1;
// With the fixed 0x8B 0x01 header every 35-byte payload lies in [0x8B01·256^33, 0x8B02·256^33),
// i.e. between 58^47.6 and 58^47.7, so every valid recovery key is exactly 48 base58 characters.
// Checking this up front gives a precise "too short/long" message for a truncated paste (dropping a
// character divides the number by 58, which usually still decodes to 35 bytes with a wrong
// prefix) and keeps huge input away from the quadratic base58 decoder.
const ENCODED_LENGTH = 48;
const BITCOIN_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function xorAll(bytes: Uint8Array): number {
  let parity = 0;
  for (const byte of bytes) parity ^= byte;
  return parity;
}

/**
 * Encode a 32-byte key as a recovery key (spec appendices §Cryptographic key representation).
 *
 * @param key - The 32-byte secret-storage or backup key.
 * @returns 48 base58 characters in space-separated groups of four, starting with `Es`.
 * @throws {TypeError} If `key` is not a Uint8Array.
 * @throws {RangeError} If `key` is not 32 bytes long.
 * @example
 * ```ts
 * encodeRecoveryKey(Uint8Array.from({ length: 32 }, (_, i) => i));
 * // 'EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1'
 * ```
 */
export function encodeRecoveryKey(key: Uint8Array): string {
  if (!(key instanceof Uint8Array)) throw new TypeError('key must be a Uint8Array');
  if (key.length !== KEY_LENGTH) throw new RangeError(`key must be ${KEY_LENGTH} bytes, got ${key.length}`);
  const buffer = new Uint8Array(DECODED_LENGTH);
  buffer.set(PREFIX, 0);
  buffer.set(key, PREFIX.length);
  buffer[DECODED_LENGTH - 1] = xorAll(buffer.subarray(0, DECODED_LENGTH - 1));
  const encoded = base58.encode(buffer);
  buffer.fill(0); // best effort only: JS gives no guarantee the bytes are not copied elsewhere
  return encoded.replace(/(.{4})(?!$)/g, '$1 ');
}

/**
 * Decode a recovery key typed or pasted by the user.
 *
 * All whitespace is ignored (dart strips every `\s`; js-sdk only spaces — being lenient here costs
 * nothing because the parity byte still catches typos).
 *
 * @param text - The recovery key, with or without spaces/newlines.
 * @returns The 32-byte key.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RecoveryKeyError} With `code` 'empty' (nothing but whitespace), 'alphabet' (a character
 *   that base58 never uses, e.g. 0, O, I or l), 'length' (too short or too long), 'prefix' (not a
 *   recovery key header) or 'parity' (checksum mismatch, usually a typo).
 */
export function decodeRecoveryKey(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) throw new RecoveryKeyError('empty', say('core_base_rk_empty'));

  for (const char of compact) {
    if (!BITCOIN_ALPHABET.includes(char)) {
      throw new RecoveryKeyError(
        'alphabet',
        say('core_base_rk_alphabet', JSON.stringify(char)),
      );
    }
  }
  if (compact.length !== ENCODED_LENGTH) throw lengthError(compact.length < ENCODED_LENGTH ? 'short' : 'long');

  const decoded = base58.decode(compact);
  try {
    // Spec decode order is parity → prefix → length; all three must hold, so the order only picks
    // which message the user sees. 48 characters can still decode to 34–36 bytes (e.g. leading
    // '1's are zero bytes), so the byte length check stays.
    if (decoded.length !== DECODED_LENGTH) {
      throw new RecoveryKeyError('length', say('core_base_rk_wrong_bytes'));
    }
    if (decoded[0] !== PREFIX[0] || decoded[1] !== PREFIX[1]) {
      throw new RecoveryKeyError(
        'prefix',
        say('core_base_rk_wrong_header'),
      );
    }
    if (xorAll(decoded) !== 0) {
      throw new RecoveryKeyError('parity', say('core_base_rk_parity'));
    }
    return decoded.slice(PREFIX.length, PREFIX.length + KEY_LENGTH);
  } finally {
    decoded.fill(0); // best effort only, see encodeRecoveryKey
  }
}

function lengthError(kind: 'short' | 'long'): RecoveryKeyError {
  return new RecoveryKeyError(
    'length',
    kind === 'short' ? say('core_base_rk_too_short') : say('core_base_rk_too_long'),
  );
}
