/**
 * What a person asks the doctor to repair, and every reason it can say no — one vocabulary for
 * both front ends. The CLI maps its verbs and flags to a RepairRequest, the background maps the
 * popup's `repairPreview` message to one; neither decides anything per kind beyond that mapping
 * (prepare-repair.ts does). The refusals are a closed set whose wording lives here only, with the
 * few words that must name a front end's own control (a flag, a checkbox) chosen by `Surface`.
 */
import type { PlanErrorCode } from '../repair/errors.ts';
import type { ManualKeyTexts } from '../repair/build-plans.ts';
import type { SecretStorageKeyInput } from '../inspect/secret-storage-key.ts';
import type { Report } from '../inspect/report-types.ts';
import type { KeyRole } from '../roles.ts';
import { REPAIR_KINDS, type RepairKind } from '../repair/repair-kinds.ts';
import { say } from '../words/say.ts';

export { REPAIR_KINDS, isRepairKind, type RepairKind } from '../repair/repair-kinds.ts';

/** Where store-secrets takes the secrets from: another secret-storage key, or a keys export file (its plaintext). */
export type SecretsSource = { key: SecretStorageKeyInput } | { exportText: string };

/**
 * Whom a reset or a new user-signing key keeps verified (signed with the new user-signing key
 * after the upload): every person the current one validly signed, or these (each must be one).
 * Absent: no one.
 */
export type KeepVerified = 'all' | string[];

export type RepairRequest =
  /** New master, self-signing and user-signing keys (docs/matrix-api.md#repair-order). */
  | { kind: 'reset-cross-signing'; exportKeys?: boolean; keepVerified?: KeepVerified; deviceIds?: string[] }
  /**
   * New self-signing and/or user-signing keys under the master from secret storage. `deviceIds`
   * (reset too): the sessions to sign with the new self-signing key in the same plan, besides this
   * one (default: reset none, regenerate the ones validly signed now).
   */
  | { kind: 'regenerate-subkeys'; selfSigning: boolean; userSigning: boolean; exportKeys?: boolean; keepVerified?: KeepVerified; deviceIds?: string[] }
  /**
   * Sign one person's master key with my user-signing key from secret storage. `masterKey` is the
   * key (or its fingerprint) the person confirmed with them: a different published key is refused.
   */
  | { kind: 'verify-user'; userId: string; masterKey: string }
  /** Sign again, with my current user-signing key, people my replaced one had signed whose master is unchanged (default: all of them). */
  | { kind: 'reverify-users'; userIds?: string[] }
  /** Sign devices with the self-signing key from secret storage (default: every one not validly signed). */
  | { kind: 'sign-devices'; deviceIds?: string[] }
  /** Store the cross-signing secrets under the default key; `from` absent is refused (missing-source). */
  | { kind: 'store-secrets'; from?: SecretsSource }
  /** Sign the backup's auth_data with the master from secret storage (docs/matrix-api.md#key-backup). */
  | { kind: 'resign-backup' }
  /** Publish the public keys of the private keys held in secret storage. */
  | { kind: 'upload-keys' }
  /** Publish keys (and store seeds) the person pasted or gave as files. */
  | { kind: 'manual-upload'; keys: ManualKeyTexts }
  /**
   * A new default secret-storage key (its recovery key shown once), holding the cross-signing
   * keys of `from` (an export file) or of the old secret storage (the key input, optional), and
   * the backup key when it is known. `newPassphrase`: the key is derived from it (PBKDF2). `seeds`:
   * private keys the person gives (base64 of 32 bytes, as `upload`'s key files hold them).
   */
  | { kind: 'create-secret-storage'; newPassphrase?: string; from?: { exportText: string }; seeds?: Partial<Record<KeyRole, string>> }
  /** Point m.secret_storage.default_key at the existing key the key input opens (its key check matched). */
  | { kind: 'set-default-key' }
  /** A new key backup version, its key stored in secret storage first (the old key kept aside). */
  | { kind: 'reset-backup' }
  /** Sign sessions out (default: those whose keys cannot be trusted); this one only with `includingThisSession`. */
  | { kind: 'sign-out-device'; deviceIds?: string[]; includingThisSession?: boolean }
  /**
   * One plan for every cause of the diagnosis that a repair fixes (src/core/app/compose-fix.ts).
   * `deviceIds`: the sessions to cross-sign (default: every signable one); the rest as for a reset.
   * `newPassphrase`, `from`, `seeds`: as for create-secret-storage, used when the fix sets up new
   * secret storage (its recovery key is then shown once, as that repair's is).
   */
  | {
    kind: 'fix'; deviceIds?: string[]; exportKeys?: boolean; keepVerified?: KeepVerified;
    newPassphrase?: string; from?: { exportText: string }; seeds?: Partial<Record<KeyRole, string>>;
  };

// Compile-time check: the union's kinds are exactly the offered kinds.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const KINDS_MATCH: Same<RepairRequest['kind'], RepairKind> = true;
void KINDS_MATCH;
void REPAIR_KINDS;

/** Does this request create new private keys that may go to an export file? */
export const wantsExport = (request: RepairRequest): boolean =>
  (request.kind === 'reset-cross-signing' || request.kind === 'regenerate-subkeys' || request.kind === 'fix') && request.exportKeys === true;

/** May this request run without the secret-storage key? A reset saved to an export file, or keys the person holds. */
export const keyOptional = (request: RepairRequest): boolean =>
  request.kind === 'manual-upload' || request.kind === 'create-secret-storage' || request.kind === 'sign-out-device'
  || (request.kind === 'reset-cross-signing' && request.exportKeys === true)
  // A fix may set up new secret storage (an account without any needs no key): whether its parts
  // need the key is known once the account is read (buildFix refuses with missing-key then).
  || request.kind === 'fix';

/** Does this request need the key input only to read (never to be the account's current target key)? */
export const keyIsSource = (request: RepairRequest): boolean => request.kind === 'set-default-key';

/** The export file's protection as chosen by the person (checked before anything is read). */
export interface ExportChoice {
  passphrase?: string;
  plaintext?: boolean;
}

/** Every reason a repair is not planned. Closed: a front end renders each with `describeRefusal`. */
export type RefusalCode =
  | 'missing-key' // the secret-storage key is needed and was not given
  | 'missing-source' // store-secrets without (or with two) sources
  | 'no-secret-storage' // a key was given but the account has no secret storage to check it against
  | 'key-input' // the recovery key / passphrase could not be used at all (inspector's KeyInputError)
  | 'wrong-key' // the key is not the secret-storage key
  | 'wrong-source-key' // store-secrets: the other key opens none of the other secret-storage keys
  | 'export-passphrase-both' // a passphrase AND plaintext for the export file
  | 'export-passphrase-weak' // the export file's passphrase is too weak (or absent)
  | 'export-encrypt-failed' // encrypting the export file failed
  | 'nothing-to-do'
  | 'missing-secret'
  | 'master-key-differs' // verify-user: the published master key is not the one the person confirmed
  | 'no-identity' // verify-user: the person has no (well-formed) master key to sign
  | 'not-eligible' // reverify-users / keep-verified: a chosen person is not in the state the repair needs
  | 'user-signing-key-unusable' // my user-signing key is not published, not signed by my master, or not the one in secret storage
  | 'new-passphrase-weak' // create-secret-storage: the new passphrase is too weak
  | 'this-session' // sign-out-device: this session is among the chosen without the second confirmation
  | 'no-repair' // fix: no cause of the diagnosis has a repair that can run here (the detail says why, per cause)
  | PlanErrorCode; // the builders' reasons (errors.ts), unsafe-secret-storage-key among them

export interface RepairRefusal {
  code: RefusalCode;
  kind: RepairKind;
  /** The specific reason in plain words (from the checks or the builders); wording around it is describeRefusal's. */
  detail?: string;
  /** The inspection the refusal was decided on, when there was one (the CLI prints its verdict). */
  report?: Report;
}

/** Which front end renders the refusal, and (CLI) the verb the person typed. */
export type Surface = { name: 'cli'; verb: string } | { name: 'popup' };

/** One refusal in plain words: the only place a refusal is worded. */
export function describeRefusal(r: RepairRefusal, surface: Surface): string {
  const cli = surface.name === 'cli';
  const verb = cli ? surface.verb : '';
  const d = r.detail ?? '';
  // The CLI labels a detail with its verb (`reset: …`): one message cannot hold "$1: $2" (the popup
  // could not tell where the verb ends), and the CLI prints English only, so the label is data.
  const labelled = `${verb}: ${d}`;
  const newKeys = r.kind === 'reset-cross-signing' || r.kind === 'regenerate-subkeys' || r.kind === 'fix';
  switch (r.code) {
    case 'missing-key':
      if (r.kind === 'reset-cross-signing') return cli ? say('core_app_refuse_reset_needs_safe_cli', verb) : say('core_app_refuse_reset_needs_safe');
      if (!cli) return say('core_app_refuse_missing_key');
      return r.kind === 'fix' ? say('core_app_refuse_missing_key_fix_cli', verb) : say('core_app_refuse_missing_key_cli', verb);
    case 'missing-source':
      return cli ? say('core_app_refuse_missing_source_cli', verb) : say('core_app_refuse_missing_source');
    case 'no-secret-storage':
      if (!cli) return say('core_app_refuse_no_ssss');
      return r.kind === 'reset-cross-signing' ? say('core_app_refuse_no_ssss_reset_cli') : say('core_app_refuse_no_ssss_cli');
    case 'key-input':
    case 'wrong-key':
    case 'wrong-source-key':
      return d;
    case 'export-passphrase-both':
      return cli ? say('core_app_refuse_export_both_cli') : say('core_app_refuse_export_both');
    case 'export-passphrase-weak':
      return cli ? say('core_app_refuse_export_weak_cli', d) : say('core_app_refuse_export_weak', d);
    case 'export-encrypt-failed':
      return cli ? say('core_app_refuse_encrypt_failed_cli', d) : say('core_app_refuse_encrypt_failed', d);
    case 'nothing-to-do':
      return say('core_app_refuse_nothing_to_do', d);
    case 'new-passphrase-weak':
      return cli ? say('core_app_refuse_new_passphrase_weak_cli', d) : say('core_app_refuse_new_passphrase_weak', d);
    case 'this-session':
      return cli ? say('core_app_refuse_this_session_cli', d) : say('core_app_refuse_this_session', d);
    case 'master-key-differs':
      // The one refusal that may mean an attacker: say what to do, and never suggest copying the published key.
      return cli ? say('core_app_refuse_master_differs_cli', d) : say('core_app_refuse_master_differs', d);
    case 'no-identity':
      return cli ? say('core_app_refuse_no_identity_cli', d) : say('core_app_refuse_no_identity', d);
    case 'no-repair':
      return cli ? say('core_app_refuse_no_repair_cli', verb, d) : say('core_app_refuse_no_repair', d);
    case 'not-eligible':
      return cli ? say('core_app_refuse_cli', labelled) : say('core_app_refuse_not_planned', d);
    case 'user-signing-key-unusable':
      return cli ? say('core_app_refuse_usk_unusable_cli', labelled) : say('core_app_refuse_usk_unusable', d);
    default: {
      // An unproven or weak secret-storage key leaves the export file as the only safeguard: name the front end's option.
      if (r.code === 'unsafe-secret-storage-key' && newKeys) return cli ? say('core_app_refuse_cannot_plan_export_cli', labelled) : say('core_app_refuse_cannot_plan_export', d);
      return cli ? say('core_app_refuse_cannot_plan_cli', labelled) : say('core_app_refuse_cannot_plan', d);
    }
  }
}
