/**
 * Sentences the core words in English for the CLI, said again in the UI language from their
 * stable codes and data (docs/design.md#translations): the root causes' headlines, the users
 * report's problems, the homeserver verdict. The core's English stays the CLI's; a code this
 * does not know (a newer core) falls back to it.
 */
import type { Cause, CauseId } from '../core/inspect/causes.ts';
import { causeOf } from '../core/inspect/causes.ts';
import type { HomeserverVerdict } from '../core/matrix/discovery.ts';
import type { VerdictProblem } from '../core/users/verdict.ts';
import { t, tp, type MessageId, type PluralId } from './i18n.ts';

/** Headlines without a count. */
const FIXED: Readonly<Partial<Record<CauseId, MessageId>>> = {
  'identity-broken': 'cause_identity_broken',
  'no-secret-storage': 'cause_no_secret_storage',
  'no-default-key': 'cause_no_default_key',
  'wrong-recovery-key': 'cause_wrong_recovery_key',
  'backup-untrusted': 'cause_backup_untrusted',
  'backup-key-lost': 'cause_backup_key_lost',
};

/** Headlines counting the cause's subjects (sessions, secrets). */
const BY_SUBJECTS: Readonly<Partial<Record<CauseId, PluralId>>> = {
  'secrets-elsewhere': 'cause_secrets_elsewhere',
  'sessions-old-signature': 'cause_sessions_old_signature',
  'sessions-unsigned': 'cause_sessions_unsigned',
  'sessions-untrustworthy': 'cause_sessions_untrustworthy',
};

/** A users report problem (it names nobody: a count), or undefined for one worded only in English. */
export function usersProblemText(p: Pick<VerdictProblem, 'code' | 'count'>): string | undefined {
  if (p.count === undefined) return undefined;
  if (p.code === 'users-verified-by-replaced-key') return tp('users_replaced', p.count);
  if (p.code === 'users-identity-changed') return tp('users_identity_changed', p.count);
  return undefined;
}

/** A problem's sentence: the users report's in the UI language; the account's as the core words it. */
export const problemText = (p: VerdictProblem): string => usersProblemText(p) ?? p.message;

/** A root cause's headline in the UI language; `problems` are the verdict's (the cause's are among them). */
export function causeHeadline(c: Cause, problems: readonly VerdictProblem[]): string {
  const own = problems.filter((p) => causeOf(p) === c.id);
  const fixed = FIXED[c.id];
  if (fixed !== undefined) return t(fixed);
  const counted = BY_SUBJECTS[c.id];
  if (counted !== undefined) return tp(counted, c.subjects.length);
  switch (c.id) {
    case 'no-identity': return t(own.some((p) => p.repair === 'upload-keys') ? 'cause_no_identity_keys_kept' : 'cause_no_identity');
    case 'subkeys-broken': return tp('cause_subkeys_broken', c.count);
    case 'secrets-lost': return tp('cause_secrets_lost', c.subjects.length, c.subjects.join(', '));
    case 'partial-read': return tp('cause_partial_read', c.count);
    case 'people-verified': return c.count === 1 && own[0] ? problemText(own[0]) : tp('cause_people_verified', c.count);
    default: return c.headline;
  }
}

/** describeVerdict (the CLI's sentence naming both hosts) in the UI language. */
export function homeserverVerdictText(v: HomeserverVerdict): string {
  switch (v.verdict) {
    case 'proven':
      return t(v.insecure ? 'hs_proven_insecure' : 'hs_proven', v.baseUrlHost, v.serverNameHost);
    case 'mismatch':
      return insecureToo(v, t('hs_mismatch', v.baseUrlHost, v.serverNameHost, v.discoveredHost));
    case 'unverifiable':
      return insecureToo(v, t('hs_unverifiable', v.baseUrlHost, v.serverNameHost, v.reason));
  }
}

const insecureToo = (v: HomeserverVerdict, sentence: string): string => (v.insecure ? t('hs_insecure_suffix', sentence, v.baseUrlHost) : sentence);
