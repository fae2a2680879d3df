/**
 * The passphrase-encrypted export file (version 2): the same private seeds as the plaintext
 * export (version 1, export.ts), each encrypted the way secret storage encrypts a secret, under a
 * key derived from a passphrase the way an `m.pbkdf2` secret-storage key is (client-server API
 * §Secret storage: `m.secret_storage.v1.aes-hmac-sha2` and §Deriving keys from passphrases).
 * A file someone copies from Downloads is then worthless without the passphrase.
 *
 * Reading is untrusted input: every function here returns a Result and never throws on bad data.
 * The iteration count comes from the file, so it is bounded both ways: too few means the file
 * was weakened (or forged to make guessing cheap), too many would hang the reader.
 */
import { encodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { MAX_PBKDF2_ITERATIONS } from '../inspect/secret-storage-key.ts';
import { isJsonObject, isString, own } from '../matrix/json-guards.ts';
import { fail, ok, type Result } from '../result.ts';
import {
  decryptSecret, deriveKeyFromPassphrase, encryptSecret, SECRET_STORAGE_ALGORITHM, SecretStorageError, type EncryptedSecret,
} from '../secret-storage.ts';
import { EXPORT_FORMAT, exportObject, parseKeysExportFile, type ImportedKeys, type KeysExportFile } from './export.ts';
import { exportPassphraseProblem } from './export-passphrase.ts';
import type { CrossSigningKeyUsage } from '../matrix/types.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { say } from '../words/say.ts';

/** PBKDF2-SHA-512 rounds written into a new file: above Element's 500 000, ≈0.5 s on a laptop. */
export const EXPORT_PBKDF2_ITERATIONS = 600_000;
/** Fewer rounds than this in a file are refused: nothing this tool writes has fewer. */
export const MIN_EXPORT_PBKDF2_ITERATIONS = 100_000;
const BITS = 256;
const SALT_BYTES = 32;
/** A salt longer than this is not one we wrote; refusing it bounds the work a file can cause. */
const MAX_SALT_LENGTH = 1024;

export const WRONG_PASSPHRASE = say('core_rp_wrong_passphrase');

/** Version 2 on disk, snake_case like the wire. `public_keys` are public, shown before decrypting. */
export interface EncryptedKeysExportFile {
  format: typeof EXPORT_FORMAT;
  version: 2;
  user_id: string;
  created_at: string;
  public_keys: Partial<Record<CrossSigningKeyUsage, string>>;
  encryption: {
    algorithm: typeof SECRET_STORAGE_ALGORITHM;
    passphrase: { algorithm: 'm.pbkdf2'; salt: string; iterations: number; bits: typeof BITS };
  };
  /** By secret name (`m.cross_signing.master`, …): the unpadded base64 seed, encrypted. */
  secrets: Record<string, EncryptedSecret>;
}

/** Which form a file's text has, without decrypting anything. */
export type ExportForm = 'plaintext' | 'encrypted' | 'unknown';

export function exportFormOf(text: unknown): ExportForm {
  let value: unknown;
  try {
    value = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    return 'unknown';
  }
  if (!isJsonObject(value) || own(value, 'format') !== EXPORT_FORMAT) return 'unknown';
  if (own(value, 'version') === 1) return 'plaintext';
  if (own(value, 'version') === 2) return 'encrypted';
  return 'unknown';
}

export interface EncryptExportOptions {
  /** Tests only: fewer rounds keep them fast (still at least MIN_EXPORT_PBKDF2_ITERATIONS). */
  iterations?: number;
  /** Tests only: a fixed salt string and per-secret IVs for a reproducible file. */
  salt?: string;
  ivs?: Partial<Record<KeyRole, Uint8Array>>;
  subtle?: SubtleCrypto;
}

/**
 * Encrypt a plaintext export (the text `exportKeysFile` returns) under a passphrase.
 * @returns The version-2 file's text, or why it cannot be written (a short passphrase, a text that
 *   is not a version-1 export). Never throws on bad input.
 */
export async function encryptKeysExport(plaintextExport: string, passphrase: string, opts: EncryptExportOptions = {}): Promise<Result<string>> {
  if (typeof passphrase !== 'string') return fail(say('core_rp_no_passphrase_given'));
  const weak = exportPassphraseProblem(passphrase);
  if (weak !== null) return fail(weak);
  const iterations = opts.iterations ?? EXPORT_PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_EXPORT_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    return fail(say('core_rp_iterations_out_of_range', MIN_EXPORT_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS));
  }
  let source: unknown;
  try {
    source = JSON.parse(plaintextExport);
  } catch {
    return fail(say('core_rp_export_not_json'));
  }
  if (!isJsonObject(source) || own(source, 'format') !== EXPORT_FORMAT || own(source, 'version') !== 1) return fail(say('core_rp_not_export_v1'));
  const userId = own(source, 'user_id');
  const createdAt = own(source, 'created_at');
  if (!isString(userId)) return fail(say('core_rp_export_no_user_id'));
  const salt = opts.salt ?? encodeBase64(globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
  const subtle = opts.subtle ?? globalThis.crypto.subtle;
  const key = await deriveKeyFromPassphrase(passphrase, salt, iterations, BITS, subtle);
  try {
    const file: EncryptedKeysExportFile = {
      format: EXPORT_FORMAT, version: 2, user_id: userId, created_at: isString(createdAt) ? createdAt : new Date().toISOString(),
      public_keys: {},
      encryption: { algorithm: SECRET_STORAGE_ALGORITHM, passphrase: { algorithm: 'm.pbkdf2', salt, iterations, bits: BITS } },
      secrets: {},
    };
    for (const role of ROLES) {
      const entry = own(source, ROLE[role].usage);
      if (entry === undefined) continue;
      const publicKey = isJsonObject(entry) ? own(entry, 'public_key') : undefined;
      const seed = isJsonObject(entry) ? own(entry, 'seed') : undefined;
      if (!isString(publicKey) || !isString(seed)) return fail(say('core_rp_export_entry_malformed', ROLE[role].usage));
      file.public_keys[ROLE[role].usage] = publicKey;
      file.secrets[ROLE[role].secretName] = await encryptSecret(key, ROLE[role].secretName, seed, opts.ivs?.[role], subtle);
    }
    if (Object.keys(file.secrets).length === 0) return fail(say('core_rp_export_holds_no_key'));
    return ok(`${JSON.stringify(file, null, 2)}\n`);
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypt a version-2 file back to the version-1 text (which `parseKeysExportFile` then checks
 * seed by seed against the public keys). Every MAC is checked before anything is decrypted.
 * @returns The plaintext export's text (PRIVATE), or a sentence fit to show.
 */
export async function decryptKeysExport(text: unknown, passphrase: string, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<Result<string>> {
  const file = exportObject(text, 2, say('core_rp_file_not_export_v2'));
  if (!file.ok) return file;
  const value = file.value;
  if (typeof passphrase !== 'string' || passphrase === '') return fail(say('core_rp_file_needs_passphrase'));
  const userId = own(value, 'user_id');
  if (!isString(userId) || !userId.startsWith('@') || userId.indexOf(':') < 2) return fail(say('core_rp_file_no_valid_user_id'));
  const createdAt = own(value, 'created_at');
  const encryption = own(value, 'encryption');
  const kdf = isJsonObject(encryption) ? own(encryption, 'passphrase') : undefined;
  if (!isJsonObject(encryption) || own(encryption, 'algorithm') !== SECRET_STORAGE_ALGORITHM) {
    return fail(say('core_rp_file_encryption_not', SECRET_STORAGE_ALGORITHM));
  }
  if (!isJsonObject(kdf) || own(kdf, 'algorithm') !== 'm.pbkdf2') return fail(say('core_rp_file_derivation_not_pbkdf2'));
  const salt = own(kdf, 'salt');
  const iterations = own(kdf, 'iterations');
  const bits = own(kdf, 'bits');
  if (!isString(salt) || salt === '' || salt.length > MAX_SALT_LENGTH) return fail(say('core_rp_file_salt_malformed'));
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations)) return fail(say('core_rp_file_iterations_malformed'));
  if (iterations < MIN_EXPORT_PBKDF2_ITERATIONS) {
    return fail(say('core_rp_file_too_few_iterations', iterations, MIN_EXPORT_PBKDF2_ITERATIONS));
  }
  if (iterations > MAX_PBKDF2_ITERATIONS) return fail(say('core_rp_file_too_many_iterations', iterations, MAX_PBKDF2_ITERATIONS));
  if (bits !== undefined && bits !== BITS) return fail(say('core_rp_file_key_length', BITS));
  const secrets = own(value, 'secrets');
  const publicKeys = own(value, 'public_keys');
  if (!isJsonObject(secrets) || !isJsonObject(publicKeys)) return fail(say('core_rp_file_no_secrets_or_public_keys'));
  const known = new Set<string>(ROLES.map((r) => ROLE[r].secretName));
  const stray = Object.keys(secrets).find((name) => !known.has(name));
  if (stray !== undefined) return fail(say('core_rp_file_unknown_secret', JSON.stringify(stray.slice(0, 64))));

  const key = await deriveKeyFromPassphrase(passphrase, salt, iterations, BITS, subtle);
  try {
    const out: KeysExportFile = { format: EXPORT_FORMAT, version: 1, user_id: userId, created_at: isString(createdAt) ? createdAt : '' };
    for (const role of ROLES) {
      const name = ROLE[role].secretName;
      const encrypted = own(secrets, name);
      if (encrypted === undefined) continue;
      const publicKey = own(publicKeys, ROLE[role].usage);
      if (!isString(publicKey)) return fail(say('core_rp_file_no_public_key_for', name));
      let seed: string;
      try {
        seed = await decryptSecret(key, name, encrypted as EncryptedSecret, subtle);
      } catch (error) {
        if (error instanceof SecretStorageError) return fail(error.code === 'bad-mac' ? WRONG_PASSPHRASE : say('core_rp_file_secret_malformed', name));
        throw error;
      }
      out[ROLE[role].usage] = { usage: ROLE[role].usage, public_key: publicKey, seed };
    }
    if (out.master === undefined && out.self_signing === undefined && out.user_signing === undefined) return fail(say('core_rp_file_holds_no_key'));
    return ok(JSON.stringify(out));
  } finally {
    key.fill(0);
  }
}

/**
 * Read either form of export file: decrypt version 2 with the passphrase, then check every seed
 * against its public key. `passphrase` may be omitted for a plaintext file.
 */
export async function readKeysExportFile(text: unknown, passphrase: string | undefined, ed: Ed25519): Promise<Result<ImportedKeys>> {
  if (exportFormOf(text) !== 'encrypted') return parseKeysExportFile(text, ed);
  const plain = await decryptKeysExport(text, passphrase ?? '');
  if (!plain.ok) return plain;
  return parseKeysExportFile(plain.value, ed);
}
