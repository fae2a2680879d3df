/**
 * Turn what the user typed (a recovery key or a passphrase) into the secret-storage key, with
 * errors fit to show: spec appendices §Cryptographic key representation (docs/matrix-api.md#recovery-key) and
 * `m.pbkdf2` (docs/matrix-api.md#passphrase-pbkdf2). The PBKDF2 cost comes from the server, so it is capped: a hostile server
 * must not be able to hang the doctor with a billion iterations.
 */
import { quote } from '../matrix/json-guards.ts';
import { decodeRecoveryKey, RecoveryKeyError, type RecoveryKeyErrorCode } from '../recovery-key.ts';
import { fail, ok, type Result } from '../result.ts';
import { deriveKeyFromPassphrase } from '../secret-storage.ts';
import type { SecretStorageKeyDescription } from '../matrix/types.ts';
import { say } from '../words/say.ts';

/** More PBKDF2 iterations than this are refused (dart uses 500 000, Element 500 000–1 000 000). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Longer derived keys than this are refused; the spec's default is 256. */
export const MAX_PBKDF2_BITS = 512;

export type KeyInputErrorCode =
  | 'no-input' // neither a recovery key nor a passphrase
  | 'both-given' // both: ambiguous
  | 'recovery-key-invalid' // see `recoveryKeyError`
  | 'no-passphrase-info' // the key was not made from a passphrase (or has no description)
  | 'unsupported-passphrase' // a passphrase algorithm other than m.pbkdf2
  | 'passphrase-too-costly' // iterations or bits beyond the caps
  | 'derivation-failed'; // WebCrypto refused

export interface KeyInputError {
  code: KeyInputErrorCode;
  /** A sentence fit to show the user. */
  message: string;
  /** For 'recovery-key-invalid': what exactly is wrong with it. */
  recoveryKeyError?: RecoveryKeyErrorCode;
}

export interface SecretStorageKeyInput {
  recoveryKey?: string | undefined;
  passphrase?: string | undefined;
}

const err = (code: KeyInputErrorCode, message: string): { ok: false; error: KeyInputError } => fail({ code, message });

/**
 * Derive the secret-storage key from a recovery key or a passphrase.
 *
 * A recovery key decodes to the key directly; the description is not needed for it. A
 * passphrase needs the description's `passphrase` parameters. Whether the key is the right one is
 * not checked here (see `checkSecretStorageKey`, or the report's `keyCheck`).
 *
 * @param input - Exactly one of `recoveryKey` and `passphrase`.
 * @param description - The parsed `m.secret_storage.key.<id>` content of the key to unlock.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns The key, or an error with a code and a message for the user.
 * @throws Never: every failure, WebCrypto's included, is returned as a {@link KeyInputError}.
 */
export async function deriveSecretStorageKey(
  input: SecretStorageKeyInput,
  description: SecretStorageKeyDescription | null | undefined,
  subtle?: SubtleCrypto,
): Promise<Result<Uint8Array, KeyInputError>> {
  const recoveryKey = typeof input?.recoveryKey === 'string' ? input.recoveryKey : undefined;
  const passphrase = typeof input?.passphrase === 'string' ? input.passphrase : undefined;
  if (recoveryKey !== undefined && passphrase !== undefined) {
    return err('both-given', say('core_ins_key_input_both'));
  }
  if (recoveryKey !== undefined) {
    try {
      return ok(decodeRecoveryKey(recoveryKey));
    } catch (error) {
      if (error instanceof RecoveryKeyError) {
        return fail({ code: 'recovery-key-invalid', message: say('core_ins_recovery_key_invalid_why', error.message), recoveryKeyError: error.code });
      }
      return err('recovery-key-invalid', say('core_ins_recovery_key_invalid'));
    }
  }
  if (passphrase === undefined || passphrase === '') return err('no-input', say('core_ins_key_input_none'));

  const info = description?.passphrase;
  if (info === undefined) {
    return err('no-passphrase-info', description
      ? say('core_ins_no_passphrase_info')
      : say('core_ins_no_key_description'));
  }
  if (info.algorithm !== 'm.pbkdf2') {
    return err('unsupported-passphrase', say('core_ins_passphrase_method_unknown', quote(info.algorithm)));
  }
  const bits = info.bits ?? 256;
  if (!Number.isSafeInteger(info.iterations) || info.iterations < 1 || info.iterations > MAX_PBKDF2_ITERATIONS) {
    return err('passphrase-too-costly', say('core_ins_passphrase_iterations', info.iterations, MAX_PBKDF2_ITERATIONS));
  }
  if (!Number.isSafeInteger(bits) || bits < 8 || bits % 8 !== 0 || bits > MAX_PBKDF2_BITS) {
    return err('passphrase-too-costly', say('core_ins_passphrase_bits', bits));
  }
  try {
    return ok(await deriveKeyFromPassphrase(passphrase, info.salt, info.iterations, bits, subtle));
  } catch (error) {
    return err('derivation-failed', say('core_ins_passphrase_failed', error instanceof Error ? error.message : String(error)));
  }
}
