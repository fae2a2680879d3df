/**
 * The shapes of a user ID and an access token, alone in a module so that the CLI's entry file can
 * check them before the rest of the CLI (and the core's message catalogue) is loaded
 * (src/cli/early-read.ts).
 */

/** The longest user ID (and room ID) the spec allows. */
export const MAX_USER_ID_LENGTH = 255;
const USER_ID = /^@[^\s:]+:[^\s]+$/;

/** A user ID as the spec's grammar allows it loosely: `@localpart:server`, at most 255 characters. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_USER_ID_LENGTH && USER_ID.test(value);
}

/** An access token the client can send: a non-empty string of visible ASCII (it goes in a header). */
export function isAccessTokenText(token: unknown): token is string {
  return typeof token === 'string' && /^[\x21-\x7e]+$/.test(token);
}
