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
import type { Report } from '../core/inspect/report-types.ts';
import { quote } from '../core/matrix/json-guards.ts';
import { t, tp, type MessageId, type PluralId } from './i18n.ts';
import { sayAgain } from './said-again.ts';

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

/** The report data an account problem's sentence names (its device's own-key state, the backup). */
export type ProblemContext = Pick<Report, 'devices' | 'backup' | 'problems'>;

/**
 * An account problem in the UI language, from its code, its subject and the report; undefined
 * where the core's sentence carries more than these (a shape problem, a secret's words), which
 * the popup then shows in English. core-words.test.ts holds every sentence this gives to the
 * core's own, in English, over thousands of generated reports.
 */
export function accountProblemText(p: VerdictProblem, report: ProblemContext | undefined): string | undefined {
  const device = p.subject === undefined ? undefined : quote(p.subject);
  const backup = report?.backup;
  switch (p.code) {
    // upload-keys: the core's longer variant, secret storage still holds the private keys.
    case 'no-cross-signing': return t(p.repair === 'upload-keys' ? 'prob_no_cross_signing_recoverable' : 'prob_no_cross_signing');
    case 'backup-key-mismatch': return t('prob_backup_key_mismatch');
    case 'no-default-key': return t('prob_no_default_key');
    case 'default-key-description-missing': return t('prob_default_key_description_missing');
    case 'no-secret-storage':
      if (!report) return undefined;
      // The core's variant: whether cross-signing keys are published, i.e. no no-cross-signing problem.
      return t(report.problems.some((q) => q.code === 'no-cross-signing') ? 'prob_no_secret_storage' : 'prob_no_secret_storage_published');
    case 'backup-not-trusted': return backup ? t('prob_backup_not_trusted', quote(backup.version)) : undefined;
    case 'backup-not-signed-by-master': return backup ? t('prob_backup_not_signed_by_master', quote(backup.version)) : undefined;
    case 'backup-key-missing': return backup ? t('prob_backup_key_missing', quote(backup.version), backup.count) : undefined;
  }
  if (device === undefined) return undefined;
  switch (p.code) {
    case 'device-not-cross-signed': return t('prob_device_not_cross_signed', device);
    case 'device-cross-signature-invalid': return t('prob_device_cross_signature_invalid', device);
    case 'device-signed-by-old-key': return t('prob_device_signed_by_old_key', device);
    case 'device-id-collides-with-key': return t('prob_device_id_collides', device);
    case 'device-self-signature-invalid': {
      const own = report?.devices.find((d) => d.deviceId === p.subject)?.selfSignature;
      if (own === undefined) return undefined;
      return t(own === 'no-key' ? 'prob_device_no_key' : own === 'invalid' ? 'prob_device_invalid_self_signature' : 'prob_device_not_self_signed', device);
    }
    default: return undefined;
  }
}

/** A problem's sentence in the UI language where the popup can say it, else as the core words it. */
export const problemText = (p: VerdictProblem, report?: ProblemContext): string =>
  usersProblemText(p) ?? accountProblemText(p, report) ?? sayAgain(p.message);

/** A root cause's headline in the UI language; `problems` are the verdict's (the cause's are among them). */
export function causeHeadline(c: Cause, problems: readonly VerdictProblem[], report?: ProblemContext): string {
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
    case 'people-verified': return c.count === 1 && own[0] ? problemText(own[0], report) : tp('cause_people_verified', c.count);
    default: return sayAgain(c.headline);
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
      return insecureToo(v, t('hs_unverifiable', v.baseUrlHost, v.serverNameHost, sayAgain(v.reason)));
  }
}

const insecureToo = (v: HomeserverVerdict, sentence: string): string => (v.insecure ? t('hs_insecure_suffix', sentence, v.baseUrlHost) : sentence);
