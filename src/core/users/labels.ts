/** The states in words, shared by the popup and the CLI (one wording everywhere). */
import type { UserState } from './types.ts';

export const USER_STATE_LABELS: Readonly<Record<UserState, string>> = Object.freeze({
  'verified': 'Verified',
  'verified-by-replaced-key': 'Verified with your replaced user-signing key',
  'identity-changed': 'Their identity changed since you verified them',
  'not-verified': 'Not verified',
  'no-identity': 'No cross-signing identity',
});

/** One sentence more where the label alone could mislead. */
export const USER_STATE_NOTES: Readonly<Partial<Record<UserState, string>>> = Object.freeze({
  'verified-by-replaced-key':
    'Your homeserver vouches that the key which signed them was your user-signing key before it was replaced; clients trust only your current one.',
  'identity-changed': 'Compare their new master key with them before verifying it.',
});
