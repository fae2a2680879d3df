/**
 * Problem codes of the inspector report. The codes are STABLE: the CLI's `--json` output, the
 * popup and scripts match on them. Add codes, never rename or reuse one.
 *
 * | code | meaning | usual repair |
 * |---|---|---|
 * | no-cross-signing | the server publishes no master key for the user | reset-cross-signing (upload-keys when secret storage holds all three private keys) |
 * | master-key-malformed | the master key fails the shape checks (docs/matrix-api.md#inspector-checklist item 1) | reset-cross-signing |
 * | key-for-other-user | a key or device listed for the user names another user_id | reset-cross-signing / regenerate-subkeys |
 * | self-signing-key-missing | master published, self-signing key not | regenerate-subkeys |
 * | user-signing-key-missing | master published, user-signing key not | regenerate-subkeys |
 * | self-signing-key-malformed | the self-signing key fails the shape checks | regenerate-subkeys |
 * | user-signing-key-malformed | the user-signing key fails the shape checks | regenerate-subkeys |
 * | self-signing-not-signed-by-master | no valid master signature on the self-signing key (docs/matrix-api.md#inspector-checklist item 2) | regenerate-subkeys |
 * | user-signing-not-signed-by-master | no valid master signature on the user-signing key | regenerate-subkeys |
 * | device-not-cross-signed | a device has no signature by the self-signing key (docs/matrix-api.md#inspector-checklist item 3) | sign-devices |
 * | device-cross-signature-invalid | a device's self-signing-key signature does not verify | sign-devices |
 * | device-signed-by-old-key | a device is signed only by a replaced self-signing key | sign-devices |
 * | device-self-signature-invalid | a device's own signature is missing or wrong | sign-out-device |
 * | device-id-collides-with-key | a device ID equals a cross-signing public key (docs/matrix-api.md#inspector-checklist item 4) | sign-out-device |
 * | device-keys-malformed | a device's keys name another device_id | — |
 * | no-secret-storage | no default key, no key description, no secret | create-secret-storage |
 * | no-default-key | secrets or keys exist but `m.secret_storage.default_key` is unset | set-default-key (create-secret-storage when no key is described) |
 * | default-key-description-missing | the default key's description is absent | create-secret-storage |
 * | default-key-unsupported | the default key uses an unknown algorithm | create-secret-storage |
 * | secret-missing | a cross-signing secret is not in secret storage (subject = name) | reset-cross-signing (master) / regenerate-subkeys |
 * | secret-not-under-default-key | a secret is not encrypted under the default key (subject = name) | store-secrets |
 * | secret-mismatch | a decrypted secret's public key differs from the published one (key given) | reset-cross-signing (master) / regenerate-subkeys |
 * | secret-undecryptable | the key passed the key check but a secret does not decrypt (key given) | reset-cross-signing (master) / regenerate-subkeys / reset-backup (backup key) |
 * | wrong-recovery-key | the given recovery key or passphrase is not the secret-storage key | — (try again) |
 * | backup-not-trusted | backup auth_data not validly signed by the master or a cross-signed own device (docs/matrix-api.md#key-backup) | resign-backup |
 * | backup-not-signed-by-master | the backup is trusted only through a cross-signed device's signature, not the master's | resign-backup |
 * | backup-key-missing | a backup exists but `m.megolm_backup.v1` is not in secret storage | reset-backup |
 * | backup-key-mismatch | the backup key in secret storage does not match the backup (key given) | reset-backup |
 * | server-data-malformed | the server sent an entry that could not be read; the report is partial | — |
 * | server-read-failed | an optional read failed (not a 404); the report is partial | — |
 *
 * Problems about other people (users-verified-by-replaced-key → reverify-users, users-identity-changed,
 * users-partial) belong to the users report: `UsersProblemCode` in src/core/users/types.ts.
 */
import { ROLE } from '../roles.ts';

import type { RepairKind } from '../repair/repair-kinds.ts';
import type { CauseId } from './causes.ts';
import { say } from '../words/say.ts';
import { quote } from '../matrix/json-guards.ts';

/**
 * What the doctor can do about a problem: a kind of RepairRequest (src/core/app/repair-request.ts),
 * so a problem only ever names a repair that exists.
 */
export type Repair = RepairKind;

export type ProblemCode =
  | 'no-cross-signing' | 'master-key-malformed' | 'key-for-other-user'
  | 'self-signing-key-missing' | 'user-signing-key-missing'
  | 'self-signing-key-malformed' | 'user-signing-key-malformed'
  | 'self-signing-not-signed-by-master' | 'user-signing-not-signed-by-master'
  | 'device-not-cross-signed' | 'device-cross-signature-invalid' | 'device-signed-by-old-key'
  | 'device-self-signature-invalid' | 'device-id-collides-with-key' | 'device-keys-malformed'
  | 'no-secret-storage' | 'no-default-key' | 'default-key-description-missing' | 'default-key-unsupported'
  | 'secret-missing' | 'secret-not-under-default-key' | 'secret-mismatch' | 'secret-undecryptable'
  | 'wrong-recovery-key'
  | 'backup-not-trusted' | 'backup-not-signed-by-master' | 'backup-key-missing' | 'backup-key-mismatch'
  | 'server-data-malformed' | 'server-read-failed';

/** One finding. `message` is plain words for the user; `subject` names the device, key or secret. */
export interface Problem {
  code: ProblemCode;
  message: string;
  repair?: Repair;
  subject?: string;
  /** Its root cause (src/core/inspect/causes.ts), set on every problem of a report. */
  cause?: CauseId;
}

/**
 * quote() without its outer quotation marks, for a message that holds them as fixed text (`"$1"`):
 * the popup then finds where the data ends even when two substitutions stand side by side.
 */
export const quoteInside = (text: string): string => quote(text).slice(1, -1);

/** Every code with a one-line summary and its usual repair (the table above, as data). */
export const PROBLEM_CODES: Readonly<Record<ProblemCode, { summary: string; repair?: Repair }>> = Object.freeze({
  'no-cross-signing': { summary: say('core_ins_no_identity_published'), repair: 'reset-cross-signing' },
  'master-key-malformed': { summary: say('core_ins_sum_master_malformed'), repair: 'reset-cross-signing' },
  'key-for-other-user': { summary: say('core_ins_sum_key_for_other_user') },
  'self-signing-key-missing': { summary: say('core_ins_sum_ssk_missing'), repair: 'regenerate-subkeys' },
  'user-signing-key-missing': { summary: say('core_ins_sum_usk_missing'), repair: 'regenerate-subkeys' },
  'self-signing-key-malformed': { summary: say('core_ins_sum_ssk_malformed'), repair: 'regenerate-subkeys' },
  'user-signing-key-malformed': { summary: say('core_ins_sum_usk_malformed'), repair: 'regenerate-subkeys' },
  'self-signing-not-signed-by-master': { summary: say('core_ins_sum_ssk_not_signed'), repair: 'regenerate-subkeys' },
  'user-signing-not-signed-by-master': { summary: say('core_ins_sum_usk_not_signed'), repair: 'regenerate-subkeys' },
  'device-not-cross-signed': { summary: say('core_ins_sum_device_not_cross_signed'), repair: 'sign-devices' },
  'device-cross-signature-invalid': { summary: say('core_ins_sum_device_cross_signature_invalid'), repair: 'sign-devices' },
  'device-signed-by-old-key': { summary: say('core_ins_sum_device_old_key'), repair: 'sign-devices' },
  'device-self-signature-invalid': { summary: say('core_ins_sum_device_self_signature'), repair: 'sign-out-device' },
  'device-id-collides-with-key': { summary: say('core_ins_sum_device_id_collides'), repair: 'sign-out-device' },
  'device-keys-malformed': { summary: say('core_ins_sum_device_keys_malformed') },
  'no-secret-storage': { summary: say('core_ins_sum_no_secret_storage'), repair: 'create-secret-storage' },
  'no-default-key': { summary: say('core_ins_sum_no_default_key'), repair: 'set-default-key' },
  'default-key-description-missing': { summary: say('core_ins_sum_default_key_undescribed'), repair: 'create-secret-storage' },
  'default-key-unsupported': { summary: say('core_ins_sum_default_key_unsupported'), repair: 'create-secret-storage' },
  'secret-missing': { summary: say('core_ins_sum_secret_missing') },
  'secret-not-under-default-key': { summary: say('core_ins_sum_secret_not_under_default'), repair: 'store-secrets' },
  'secret-mismatch': { summary: say('core_ins_sum_secret_mismatch') },
  'secret-undecryptable': { summary: say('core_ins_sum_secret_undecryptable') },
  'wrong-recovery-key': { summary: say('core_ins_sum_wrong_recovery_key') },
  'backup-not-trusted': { summary: say('core_ins_sum_backup_not_trusted'), repair: 'resign-backup' },
  'backup-not-signed-by-master': { summary: say('core_ins_sum_backup_not_signed_by_master'), repair: 'resign-backup' },
  'backup-key-missing': { summary: say('core_ins_sum_backup_key_missing'), repair: 'reset-backup' },
  'backup-key-mismatch': { summary: say('core_ins_sum_backup_key_mismatch'), repair: 'reset-backup' },
  'server-data-malformed': { summary: say('core_ins_sum_server_data_malformed') },
  'server-read-failed': { summary: say('core_ins_sum_server_read_failed') },
});

/**
 * Repair for a problem about one cross-signing key or secret: the master cannot be regenerated
 * alone, the subkeys can; a lost backup key means a new backup.
 *
 * @throws Never.
 */
export function repairForRole(role: string): Repair | undefined {
  if (role === ROLE.master.usage || role === ROLE.master.secretName) return 'reset-cross-signing';
  if (role === 'm.megolm_backup.v1') return 'reset-backup';
  return 'regenerate-subkeys';
}

/**
 * Build a problem. The repair defaults to the code's usual one; pass `repair: null` for none.
 *
 * @throws Never.
 */
export function problem(
  code: ProblemCode, message: string, opts: { subject?: string; repair?: Repair | null } = {},
): Problem {
  const out: Problem = { code, message };
  const repair = opts.repair === undefined ? PROBLEM_CODES[code].repair : opts.repair ?? undefined;
  if (repair !== undefined) out.repair = repair;
  if (opts.subject !== undefined) out.subject = opts.subject;
  return out;
}
