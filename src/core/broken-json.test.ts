// Fixture (no tests): invalid JSON holding a private seed, for the parse-error tests of
// json-text.ts and of the pasted-key parsers that use it.
import { encodeBase64 } from './base64.ts';

export const SEED = encodeBase64(new Uint8Array(32).map((_, i) => 200 - i));

/** Invalid JSON holding a private seed, broken in the ways V8 reports differently. */
export const BROKEN = [
  `{"seed": "${SEED}", "x": tru}`,
  `{"seed": "${SEED}" "usage": ["master"]}`,
  `{"seed": "${SEED}",\n  "keys": {"ed25519:${SEED}": "${SEED}"}`,
  `{"seed": "${SEED}\u0001"}`,
  `{"user_id": "@a:hs", "seed": '${SEED}'}`,
  `{"seed": "${SEED}"}}`,
  `{"seed": "\\x${SEED}"}`,
];

/** The first 4-character piece of `input` that `message` repeats (none: nothing longer than 3 is quoted). */
export function quoted(message: string, input: string): string | undefined {
  for (let i = 0; i + 4 <= input.length; i++) {
    const piece = input.slice(i, i + 4);
    if (message.includes(piece)) return piece;
  }
  return undefined;
}
