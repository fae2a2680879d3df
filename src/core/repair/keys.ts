/**
 * Generating cross-signing keys (spec §Cross-signing; docs/matrix-api.md#cross-signing-key-upload, docs/matrix-api.md#correct-identity).
 *
 * Invariants:
 * - Every key object is built deterministically from its seed: Ed25519 signatures are
 *   deterministic (RFC 8032 §5.1.6), so the same seeds always give byte-identical objects. A
 *   worker that restarts can rebuild the exact upload body from the seeds it stored.
 * - The master key is uploaded WITHOUT a device signature. Synapse's `has_different_keys`
 *   compares the whole stored object, `signatures` included (docs/matrix-api.md#synapse-upload-uia), so an
 *   idempotent retry must resend byte-identical objects; a device signature on the master
 *   belongs in a later `/keys/signatures/upload` (as matrix-dart-sdk does, docs/matrix-api.md#correct-identity), which does
 *   not change the stored bare key. (We also do not hold the device's private key: the web app
 *   does.)
 * - Seeds are 32-byte Ed25519 seeds, as Matrix stores them (docs/matrix-api.md#private-key-encoding).
 */
import { encodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import type { CrossSigningKey } from '../matrix/types.ts';
import { ROLE, type KeyRole } from '../roles.ts';
import { signJson } from '../signing.ts';

/** The public key of a cross-signing key object: its one `keys` value (§Cross-signing allows one). */
export const publicKeyOf = (key: Pick<CrossSigningKey, 'keys'> | undefined): string | undefined =>
  key === undefined ? undefined : Object.values(key.keys)[0];

/** One key: the private seed (keep it out of anything persisted), its public key, and the wire object. */
export interface CrossSigningKeyPair {
  seed: Uint8Array;
  /** Unpadded base64 Ed25519 public key. */
  publicKey: string;
  key: CrossSigningKey;
}

/** A fresh identity: master, self-signing and user-signing keys, the subkeys signed by the master. */
export interface GeneratedCrossSigningKeys {
  userId: string;
  master: CrossSigningKeyPair;
  selfSigning: CrossSigningKeyPair;
  userSigning: CrossSigningKeyPair;
}

/** New subkeys for a master whose seed we have (e.g. from secret storage). */
export interface SubkeysForMaster {
  userId: string;
  masterPublicKey: string;
  selfSigning?: CrossSigningKeyPair;
  userSigning?: CrossSigningKeyPair;
}

/** Source of random bytes; defaults to `crypto.getRandomValues`. Injectable for tests. */
export type RandomBytes = (length: number) => Uint8Array;

const SEED_LENGTH = 32;

const defaultRandom: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** @throws {TypeError|RangeError} unless `userId` looks like `@localpart:server`. */
export function checkUserId(userId: string): void {
  if (typeof userId !== 'string') throw new TypeError('userId must be a string');
  if (!userId.startsWith('@') || userId.indexOf(':') < 2) throw new RangeError('userId must look like @localpart:server');
}

function checkSeed(seed: Uint8Array, field: string): void {
  if (!(seed instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (seed.length !== SEED_LENGTH) throw new RangeError(`${field} must be ${SEED_LENGTH} bytes, got ${seed.length}`);
}

function freshSeed(random: RandomBytes): Uint8Array {
  const seed = random(SEED_LENGTH);
  checkSeed(seed, 'random(32)');
  return new Uint8Array(seed);
}

/**
 * Build one cross-signing key object from its seed (spec §Cross-signing; CrossSigningKey in
 * docs/matrix-api.md#cross-signing-key-upload): `{user_id, usage: [usage], keys: {"ed25519:<pub>": "<pub>"}}`, plus, for the
 * self-signing and user-signing keys, the master's signature at
 * `signatures[user_id]["ed25519:<master pub>"]` (Synapse checks exactly that key ID, docs/matrix-api.md#synapse-upload-checks).
 *
 * @param signer - The master's seed; required for `selfSigning`/`userSigning`, refused for `master`.
 * @throws {TypeError|RangeError} On a malformed user ID or seed, or a wrong `signer`.
 */
export async function crossSigningKeyFromSeed(
  userId: string, role: KeyRole, seed: Uint8Array, ed: Ed25519, signer?: Uint8Array,
): Promise<CrossSigningKeyPair> {
  checkUserId(userId);
  checkSeed(seed, 'seed');
  if (!Object.hasOwn(ROLE, role)) throw new TypeError(`unknown role ${String(role)}`);
  const publicKey = encodeBase64(await ed.publicKey(seed));
  const bare: CrossSigningKey = { user_id: userId, usage: [ROLE[role].usage], keys: { [`ed25519:${publicKey}`]: publicKey } };
  if (role === 'master') {
    if (signer !== undefined) throw new TypeError('the master key is not signed by a master');
    return { seed, publicKey, key: bare };
  }
  if (signer === undefined) throw new TypeError(`the ${role} key needs the master seed to sign it`);
  checkSeed(signer, 'master seed');
  const masterPublicKey = encodeBase64(await ed.publicKey(signer));
  const key = await signJson(bare, { entity: userId, keyId: `ed25519:${masterPublicKey}`, seed: signer }, ed);
  return { seed, publicKey, key };
}

/**
 * Generate a new identity: three fresh seeds, the subkeys signed by the master, the master
 * unsigned (see the module comment). Upload all three in ONE request (docs/matrix-api.md#synapse-upload-uia, point 3).
 *
 * @param random - 32 random bytes per call; defaults to `crypto.getRandomValues`.
 * @throws {TypeError|RangeError} On a malformed user ID, or a `random` that returns no 32 bytes.
 */
export async function generateCrossSigningKeys(
  userId: string, ed: Ed25519, random: RandomBytes = defaultRandom,
): Promise<GeneratedCrossSigningKeys> {
  checkUserId(userId);
  const masterSeed = freshSeed(random);
  const master = await crossSigningKeyFromSeed(userId, 'master', masterSeed, ed);
  const selfSigning = await crossSigningKeyFromSeed(userId, 'selfSigning', freshSeed(random), ed, masterSeed);
  const userSigning = await crossSigningKeyFromSeed(userId, 'userSigning', freshSeed(random), ed, masterSeed);
  return { userId, master, selfSigning, userSigning };
}

/**
 * New self-signing and/or user-signing keys signed by an existing master (repair b). Without a
 * master in the upload, they must be signed by the most recently uploaded master (docs/matrix-api.md#cross-signing-key-upload), so the
 * caller must first check that `masterSeed` derives the published master (`seedMatches`).
 *
 * @throws {TypeError|RangeError} On a malformed user ID or seed, or when `which` selects nothing.
 */
export async function buildSubkeysForExistingMaster(
  userId: string,
  masterSeed: Uint8Array,
  which: { selfSigning?: boolean; userSigning?: boolean },
  ed: Ed25519,
  random: RandomBytes = defaultRandom,
): Promise<SubkeysForMaster> {
  checkUserId(userId);
  checkSeed(masterSeed, 'masterSeed');
  if (which?.selfSigning !== true && which?.userSigning !== true) {
    throw new TypeError('which must select selfSigning and/or userSigning');
  }
  const result: SubkeysForMaster = { userId, masterPublicKey: encodeBase64(await ed.publicKey(masterSeed)) };
  if (which.selfSigning === true) {
    result.selfSigning = await crossSigningKeyFromSeed(userId, 'selfSigning', freshSeed(random), ed, masterSeed);
  }
  if (which.userSigning === true) {
    result.userSigning = await crossSigningKeyFromSeed(userId, 'userSigning', freshSeed(random), ed, masterSeed);
  }
  return result;
}

/** Does `seed` derive `publicKey` (unpadded base64)? Never throws on a bad seed length: false. */
export async function seedMatches(seed: Uint8Array, publicKey: string, ed: Ed25519): Promise<boolean> {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH || typeof publicKey !== 'string') return false;
  return encodeBase64(await ed.publicKey(seed)) === publicKey.replace(/=+$/, '');
}
