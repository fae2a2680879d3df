/**
 * The inspector's report: plain JSON (no Uint8Array, no undefined-only fields needed), safe to
 * show, store and copy. It holds public keys, signature verdicts and structure, never a private
 * key, a decrypted secret or an access token.
 */
import type { CrossSigningKeyUsage } from '../matrix/types.ts';
import type { KeyRole } from '../roles.ts';
import type { SignatureCheck } from '../signing.ts';
import type { Problem } from './problems.ts';

/**
 * One cross-signing public key as published in keys/query.
 * `status`: 'ok' (usable), 'missing' (not published), 'malformed' (published but fails the shape
 * checks of docs/matrix-api.md#inspector-checklist item 1, or was dropped by the parser as unreadable).
 */
export interface CrossSigningKeyReport {
  /** Which key, by its `usage` (`ROLE[role].usage` in src/core/roles.ts). */
  role: CrossSigningKeyUsage;
  status: 'ok' | 'missing' | 'malformed';
  /** Unpadded base64 ed25519 public key, when one can be told. */
  publicKey: string | null;
  /** `ed25519:<publicKey>`. */
  keyId: string | null;
  /** The key's `user_id` as published (hostile servers may name someone else). */
  userId: string | null;
  /** Shape problems in plain words; empty when `status` is 'ok' or 'missing'. */
  shapeProblems: string[];
  /** Master's signature on this key; 'n/a' for the master itself or without a usable master. */
  signatureByMaster: SignatureCheck | 'n/a';
}

/** A signature on the master key by one of the user's own devices (optional, docs/matrix-api.md#correct-identity). */
export interface MasterDeviceSignature {
  deviceId: string;
  result: SignatureCheck | 'unknown-device';
}

/** Keyed by role, so the JSON keys are the role names of src/core/roles.ts. */
export interface IdentityReport extends Record<KeyRole, CrossSigningKeyReport> {
  master: CrossSigningKeyReport & { deviceSignatures: MasterDeviceSignature[] };
}

/**
 * One device from keys/query. `crossSigned`: 'valid' (signed by the current self-signing key),
 * 'invalid' (a signature by it that does not verify), 'absent' (none), 'old-key' (no signature by
 * the current key, but one by another self-signing-looking key of this user: a key replaced by a
 * reset).
 */
export interface DeviceReport {
  deviceId: string;
  /** As published by the server (text, never markup), cut to 200 characters. */
  displayName: string | null;
  ed25519: string | null;
  curve25519: string | null;
  selfSignature: SignatureCheck | 'no-key';
  crossSigned: 'valid' | 'invalid' | 'absent' | 'old-key';
  /** Key IDs of the other self-signing-looking signatures (for 'old-key'). */
  oldSignerKeyIds: string[];
  isThisDevice: boolean;
  /** The device ID equals a cross-signing public key (docs/matrix-api.md#inspector-checklist item 4). */
  collidesWithKey: boolean;
  /** Shape problems (user_id or device_id not matching), in plain words. */
  shapeProblems: string[];
  /**
   * A cross-signature could vouch for this device: its own keys are well-formed and validly
   * self-signed, and its ID is no cross-signing key (see `isSignable` in device-checks.ts). The
   * one answer the popup, the CLI and the plan builders use.
   */
  signable: boolean;
}

export interface PassphraseReport {
  algorithm: string;
  salt: string;
  iterations: number;
  bits: number;
}

/** One `m.secret_storage.key.<id>` description (docs/matrix-api.md#secret-storage-account-data). */
export interface SecretStorageKeyReport {
  keyId: string;
  /** 'found', 'absent' (404), 'failed' (could not read), 'malformed' (unreadable content). */
  status: 'found' | 'absent' | 'failed' | 'malformed';
  algorithm: string | null;
  /** The only algorithm the spec defines, `m.secret_storage.v1.aes-hmac-sha2`. */
  supported: boolean;
  name?: string;
  passphrase?: PassphraseReport;
  /** Has the `iv`/`mac` key check (docs/matrix-api.md#secret-storage-key-check). */
  hasKeyCheck: boolean;
  isDefault: boolean;
}

/** What decrypting one secret with the given key showed. Never the secret itself. */
export interface SecretCheck {
  decrypted: boolean;
  error?: string;
  /** Derived public key equals the published one; null when there is nothing to compare. */
  matchesPublished: boolean | null;
  derivedPublicKey?: string;
}

export interface SecretReport {
  name: string;
  present: boolean;
  /** Set when the content could not be read (failed read, malformed content). */
  unreadable?: string;
  /** Key IDs it is encrypted under (at most 32 listed). */
  keyIds: string[];
  encryptedUnderDefault: boolean;
  /** Only when a secret-storage key was given. */
  check?: SecretCheck;
}

export interface SecretStorageReport {
  defaultKeyId: string | null;
  keys: SecretStorageKeyReport[];
  secrets: SecretReport[];
  /** Only when a key was given: which key ID it was checked against. */
  givenKeyId?: string | null;
  /**
   * Only when a key was given. 'ok': the description's key check matches. 'no-check-data': the
   * description has no key check and no secret under it decrypts, so nothing proves the key right
   * (the repairs store nothing under it). 'proven-by-secret': no key check, but a secret stored
   * under the key decrypts with it. 'no-description': no description to check it against.
   */
  keyCheck?: 'ok' | 'wrong-key' | 'no-check-data' | 'proven-by-secret' | 'no-description';
}

/** A signature on the backup's `auth_data` by the user (docs/matrix-api.md#key-backup). */
export interface BackupSignature {
  keyId: string;
  signer: 'master' | 'device' | 'unknown';
  deviceId?: string;
  result: SignatureCheck | 'not-checked';
}

export interface BackupReport {
  version: string;
  algorithm: string;
  count: number;
  publicKey: string;
  signatures: BackupSignature[];
  trustedByMaster: boolean;
  /** Validly signed by the master, or by an own device that is validly cross-signed. */
  trusted: boolean;
  /** Public key derived from the `m.megolm_backup.v1` secret equals `publicKey`; null if unknown. */
  matchesSecretStorage: boolean | null;
}

/** A keys/query entry the parser dropped as malformed (it may exist on the server). */
export interface SkippedEntry {
  section: string;
  userId: string;
  deviceId?: string;
  problem: string;
}

export interface Report {
  /** Bumped on incompatible changes to this shape. */
  formatVersion: 1;
  userId: string;
  deviceId: string | null;
  healthy: boolean;
  problems: Problem[];
  identity: IdentityReport;
  devices: DeviceReport[];
  secretStorage: SecretStorageReport;
  backup: BackupReport | null;
  /** Malformed keys/query entries about this user. */
  skipped: SkippedEntry[];
}
