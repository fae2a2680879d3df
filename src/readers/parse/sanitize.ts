/**
 * Page-side clean-up of storage values before they leave the page: refresh tokens never do
 * (docs/web-clients.md#element-oidc — using one would revoke the app's own session).
 */

const REFRESH_KEYS = new Set(['refreshToken', 'refresh_token']);

/**
 * `matrixSessions` (Sable-style forks) without any refresh token. Input that is not valid JSON is
 * replaced by a marker that is not JSON either, so the background reports it as broken without
 * ever seeing the raw text (which may hold refresh tokens).
 */
export const UNPARSABLE = '\u0000unparsable';

export function withoutRefreshTokens(raw: string): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // Broken JSON: pass on only the fact that it is broken.
    return UNPARSABLE;
  }
  return JSON.stringify(value, (key, v: unknown) => (REFRESH_KEYS.has(key) ? undefined : v));
}
