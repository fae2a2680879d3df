/**
 * The inspector: turn an {@link AccountState} into a {@link Report} by running the
 * docs/matrix-api.md#inspector-checklist checklist (identity-checks, device-checks), the secret-storage checks of docs/matrix-api.md#secret-storage (with and
 * without a key) and the backup checks of docs/matrix-api.md#key-backup, then ordering the problems so that root causes
 * come first and noise that a root repair fixes anyway is left out.
 */
import type { Ed25519 } from '../ed25519.ts';
import { ROLE, ROLES } from '../roles.ts';
import type { AccountState } from './account-state.ts';
import { checkBackup } from './backup-checks.ts';
import { checkDevices, deviceEd25519Keys, ownDevices } from './device-checks.ts';
import { checkIdentity } from './identity-checks.ts';
import { problem, quoteInside, type Problem } from './problems.ts';
import { causeOf } from './causes.ts';
import type { CrossSigningKeyReport, Report, SecretReport, SkippedEntry } from './report-types.ts';
import { checkSecretsWithKey, WRONG_KEY } from './secret-key-checks.ts';
import { checkSecretStorage } from './secret-storage-checks.ts';
import type { SecretDecryptions } from '../secret-decryptions.ts';
import { say } from '../words/say.ts';

export interface BuildReportOptions {
  /** The account the state belongs to. */
  userId: string;
  /** The session's own device, marked `isThisDevice`. */
  deviceId?: string | undefined;
  /** One backend for the whole report (see `detectEd25519`). */
  ed: Ed25519;
  /** The secret-storage key, already derived from a recovery key or passphrase by the caller. */
  secretStorageKey?: Uint8Array | undefined;
  /** Which key ID that key is for; defaults to the default key, else the one key the secrets use. */
  secretStorageKeyId?: string | undefined;
  /** Decrypt through this unlocked view (shared with a repair's builders) instead of afresh. */
  secretDecryptions?: SecretDecryptions | undefined;
}

/** Malformed-entry problems listed one by one before they are summarised. */
const MAX_SKIPPED_PROBLEMS = 20;

const CROSS_SIGNING_SECRETS: readonly string[] = ROLES.map((role) => ROLE[role].secretName);

function checkOptions(opts: BuildReportOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  if (typeof opts.userId !== 'string' || opts.userId === '') throw new TypeError('opts.userId must be a non-empty string');
  if (opts.deviceId !== undefined && typeof opts.deviceId !== 'string') throw new TypeError('opts.deviceId must be a string');
  if (typeof opts.ed?.verify !== 'function') throw new TypeError('opts.ed must be an Ed25519 backend');
  const key = opts.secretStorageKey;
  if (key !== undefined && (!(key instanceof Uint8Array) || key.length === 0)) {
    throw new TypeError('opts.secretStorageKey must be a non-empty Uint8Array');
  }
}

/**
 * The one key ID every present secret is encrypted under, if there is exactly one: the key a
 * recovery key is most likely for when no default key is set.
 *
 * @throws Never.
 */
export function soleSecretKeyId(secrets: readonly Pick<SecretReport, 'present' | 'keyIds'>[]): string | null {
  const ids = new Set(secrets.filter((s) => s.present).flatMap((s) => s.keyIds));
  return ids.size === 1 ? [...ids][0]! : null;
}

function skippedProblems(skipped: readonly SkippedEntry[]): Problem[] {
  const out = skipped.slice(0, MAX_SKIPPED_PROBLEMS).map((s) => {
    const message = s.deviceId !== undefined
      ? say('core_ins_malformed_device_keys', quoteInside(s.deviceId), s.problem)
      : say('core_ins_malformed_entry', s.section, s.problem);
    return problem('server-data-malformed', message,
      { subject: s.deviceId ?? s.section });
  });
  if (skipped.length > MAX_SKIPPED_PROBLEMS) {
    out.push(problem('server-data-malformed', say('core_ins_malformed_more', skipped.length - MAX_SKIPPED_PROBLEMS), { subject: 'keys/query' }));
  }
  return out;
}

/**
 * Inspect an account. Never throws on server data, however hostile: malformed or missing parts
 * become report rows and problems.
 *
 * @param state - From fetchAccountState (or buildAccountState).
 * @param opts - Who, which backend, and optionally the secret-storage key.
 * @returns A JSON-serialisable report; `healthy` is `problems.length === 0`.
 * @throws {TypeError} On bad options (a programmer error).
 */
export async function buildReport(state: AccountState, opts: BuildReportOptions): Promise<Report> {
  checkOptions(opts);
  const { userId, ed } = opts;
  const keys = state.keysQuery.result;
  const deviceList = ownDevices(keys, userId);
  const deviceKeys = deviceEd25519Keys(deviceList);

  const id = await checkIdentity(keys, userId, deviceKeys, ed);
  const { master, selfSigning } = id.identity;
  const devices = await checkDevices(deviceList, deviceKeys, {
    userId,
    deviceId: opts.deviceId,
    selfSigning: id.selfSigning,
    selfSigningPub: selfSigning.publicKey,
    masterPub: master.publicKey,
    keyStrings: id.keyStrings,
    reportCrossSigning: id.master !== null && id.selfSigning !== null,
  }, ed);

  const storage = checkSecretStorage(state, { crossSigningPublished: master.status !== 'missing' || id.partial });
  const keyProblems: Problem[] = [];
  if (opts.secretStorageKey !== undefined) {
    const keyId = opts.secretStorageKeyId ?? storage.report.defaultKeyId ?? soleSecretKeyId(storage.report.secrets);
    const usable = (k: CrossSigningKeyReport) => (k.status === 'ok' ? k.publicKey : null);
    const view = opts.secretDecryptions?.keyId === keyId ? opts.secretDecryptions : undefined;
    keyProblems.push(...await checkSecretsWithKey(state, storage.report, opts.secretStorageKey, keyId, {
      ...Object.fromEntries(ROLES.map((role) => [ROLE[role].secretName, usable(id.identity[role])])),
      'm.megolm_backup.v1': state.backup.value?.auth_data.public_key ?? null,
    }, ed, view));
  }

  const backup = await checkBackup(state, {
    userId, master: id.master, masterPub: master.publicKey, devices: devices.devices, deviceKeys,
  }, ed);
  if (backup.report !== null) {
    const check = storage.report.secrets.find((s) => s.name === 'm.megolm_backup.v1')?.check;
    backup.report.matchesSecretStorage = check?.decrypted === true ? check.matchesPublished : null;
  }

  // No published identity, but secret storage still holds all three private keys: publishing
  // their public keys again restores the old identity instead of replacing it.
  const stored = storage.report.secrets.filter((s) => CROSS_SIGNING_SECRETS.includes(s.name) && s.present);
  // A wrong recovery key says nothing about the secrets: judge only what was actually tried.
  const recoverable = stored.length === 3
    && stored.every((s) => s.check === undefined || s.check.decrypted || s.check.error === WRONG_KEY);
  for (const p of id.problems) {
    if (p.code === 'no-cross-signing' && recoverable) {
      p.repair = 'upload-keys';
      p.message = say('core_ins_no_identity_recoverable');
    }
  }

  const skipped: SkippedEntry[] = keys.skipped
    .filter((s) => s.userId === userId || s.section === 'failures')
    .map((s) => ({ ...s }));
  const problems = [
    ...id.problems, ...storage.problems, ...keyProblems, ...backup.problems, ...devices.problems, ...skippedProblems(skipped),
  ];
  for (const p of problems) p.cause = causeOf(p);
  return {
    formatVersion: 1,
    userId,
    deviceId: opts.deviceId ?? null,
    healthy: problems.length === 0,
    problems,
    identity: id.identity,
    devices: devices.devices,
    secretStorage: storage.report,
    backup: backup.report,
    skipped,
  };
}
