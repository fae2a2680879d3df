/**
 * The whole inspection in one call, shared by the extension's background and the CLI: read the
 * account (two request waves), derive the secret-storage key from what the user typed, and build
 * the report. The key is wiped here unless the caller asks to keep it (`keepKey`): a repair then
 * checks and uses the very key the report was built with, so a passphrase pays PBKDF2 once.
 */
import { detectEd25519, type Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { fail, ok, type Result } from '../result.ts';
import type { AccountState } from './account-state.ts';
import { fetchAccountState, type FetchStateOptions } from './fetch-state.ts';
import { buildReport, soleSecretKeyId } from './report.ts';
import { SecretDecryptions } from '../secret-decryptions.ts';
import type { Report } from './report-types.ts';
import { deriveSecretStorageKey, type KeyInputError, type SecretStorageKeyInput } from './secret-storage-key.ts';

export interface InspectOptions extends FetchStateOptions {
  userId: string;
  /**
   * This session's device ID. May still be on its way (the CLI's whoami, sent beside the first
   * request wave): it is needed only to build the report, so it is awaited with the reads.
   */
  deviceId?: string | undefined | PromiseLike<string | undefined>;
  /** A recovery key or passphrase the user typed, to check secret storage. */
  secret?: SecretStorageKeyInput | undefined;
  /** The backend, or a promise of it (a background's first probe runs beside the first wave). */
  ed?: Ed25519 | PromiseLike<Ed25519>;
  /** Hand the derived key back as `unlocked` instead of wiping it (the caller then wipes it). */
  keepKey?: boolean;
}

/** The secret-storage key derived from what the user typed (PRIVATE), for the key ID it targets. */
export interface UnlockedKey {
  keyId: string;
  key: Uint8Array;
  /** The secrets the report decrypted under it, for the repair to reuse (cleared with the key). */
  decryptions: SecretDecryptions;
}

/** The key ID a recovery key or passphrase is for: the default key, else the one the secrets use. */
export function targetKeyId(state: AccountState): string | null {
  const secrets = state.secrets.map((s) => ({ present: s.value !== null, keyIds: s.value ? Object.keys(s.value.encrypted) : [] }));
  return state.defaultKey.value?.key ?? soleSecretKeyId(secrets);
}

/**
 * Inspect an account.
 *
 * @returns The state and report, or a key-input error (bad recovery key, passphrase on a key that
 *   has none, …) to show the user.
 * @throws {ConnectionError | MatrixApiError} When keys/query itself fails.
 */
export async function inspectAccount(
  client: MatrixClient,
  opts: InspectOptions,
): Promise<Result<{ state: AccountState; report: Report; unlocked?: UnlockedKey }, KeyInputError>> {
  const fetchOpts: FetchStateOptions = {};
  if (opts.signal) fetchOpts.signal = opts.signal;
  if (opts.keysQueryTimeoutMs !== undefined) fetchOpts.keysQueryTimeoutMs = opts.keysQueryTimeoutMs;
  const [state, ed, deviceId] = await Promise.all([fetchAccountState(client, opts.userId, fetchOpts), opts.ed ?? detectEd25519(), opts.deviceId]);
  let secretStorageKey: Uint8Array | undefined;
  let secretStorageKeyId: string | undefined;
  if (opts.secret && (opts.secret.recoveryKey !== undefined || opts.secret.passphrase !== undefined)) {
    const keyId = targetKeyId(state);
    const description = state.keyDescriptions.find((d) => d.keyId === keyId)?.value ?? null;
    const derived = await deriveSecretStorageKey(opts.secret, description);
    if (!derived.ok) return fail(derived.error);
    secretStorageKey = derived.value;
    secretStorageKeyId = keyId ?? undefined;
  }
  const keep = opts.keepKey === true && secretStorageKey !== undefined && secretStorageKeyId !== undefined;
  const decryptions = keep ? new SecretDecryptions(secretStorageKeyId!, secretStorageKey!) : undefined;
  try {
    const report = await buildReport(state, { userId: opts.userId, deviceId, ed, secretStorageKey, secretStorageKeyId, secretDecryptions: decryptions });
    return ok(decryptions ? { state, report, unlocked: { keyId: secretStorageKeyId!, key: secretStorageKey!, decryptions } } : { state, report });
  } catch (error) {
    decryptions?.clear();
    secretStorageKey?.fill(0);
    throw error;
  } finally {
    if (!keep) secretStorageKey?.fill(0); // best effort only: JS gives no guarantee
  }
}
