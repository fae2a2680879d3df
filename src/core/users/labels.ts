/** The states in words, shared by the popup and the CLI (one wording everywhere). */
import type { UserState } from './types.ts';
import { say } from '../words/say.ts';

export const USER_STATE_LABELS: Readonly<Record<UserState, string>> = Object.freeze({
  'verified': say('core_ins_user_verified'),
  'verified-by-replaced-key': say('core_ins_user_verified_replaced'),
  'identity-changed': say('core_ins_user_identity_changed'),
  'not-verified': say('core_ins_user_not_verified'),
  'no-identity': say('core_ins_user_no_identity'),
});

/** One sentence more where the label alone could mislead. */
export const USER_STATE_NOTES: Readonly<Partial<Record<UserState, string>>> = Object.freeze({
  'verified-by-replaced-key':
    say('core_ins_user_note_replaced'),
  'identity-changed': say('core_ins_user_note_changed'),
});
