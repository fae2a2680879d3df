// Shared pieces of the identity fixtures (identity.ts and its siblings): the fixture types, the
// project's core client bound to a test session, key generation and a small concurrency pool.
import { randomBytes } from 'node:crypto';
import { createMatrixClient, detectEd25519, encodeBase64, type Ed25519, type MatrixClient } from '../../src/core/index.ts';
import { registerPrivateKey } from './secrets-registry.ts';
import type { TestUser } from './users.ts';

/** An Ed25519 key: 32-byte seed (what secret storage holds) and its unpadded-base64 public key. */
export type KeyPair = { seed: Uint8Array; publicKey: string };

export type CrossSigningKeys = { master: KeyPair; selfSigning: KeyPair; userSigning: KeyPair };

/** A logged-in device whose device keys were uploaded. `curve25519` is the public key (random bytes). */
export type FixtureDevice = { deviceId: string; accessToken: string; ed25519: KeyPair; curve25519: string };

/** A secret-storage key: its ID, raw 32 bytes, recovery-key form, and the passphrase it came from. */
export type SecretStorageFixture = { keyId: string; key: Uint8Array; recoveryKey: string; passphrase?: string };

/** A key backup version with its Curve25519 key pair (private key = the m.megolm_backup.v1 secret). */
export type BackupFixture = { version: string; privateKey: Uint8Array; publicKey: string };

/** Who calls the account-level endpoints: a user's base URL, ID and one access token. */
export type Session = Pick<TestUser, 'baseUrl' | 'userId' | 'accessToken'>;

/** The four secrets a complete identity keeps in secret storage. */
export const CROSS_SIGNING_SECRET_NAMES = [
  'm.cross_signing.master',
  'm.cross_signing.self_signing',
  'm.cross_signing.user_signing',
] as const;
export const BACKUP_SECRET_NAME = 'm.megolm_backup.v1';
export const SECRET_NAMES = [...CROSS_SIGNING_SECRET_NAMES, BACKUP_SECRET_NAME] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const DEFAULT_KEY_TYPE = 'm.secret_storage.default_key';
export const keyDescriptionType = (keyId: string): string => `m.secret_storage.key.${keyId}`;

/** The project's core client for a session, over the global fetch. */
export function clientFor(session: Pick<Session, 'baseUrl' | 'accessToken'>): MatrixClient {
  return createMatrixClient({
    baseUrl: session.baseUrl,
    accessToken: session.accessToken,
    fetch: globalThis.fetch.bind(globalThis),
    timeoutMs: 120_000,
    maxResponseBytes: 256 * 1024 * 1024,
  });
}

/** The Ed25519 backend the fixtures sign with (WebCrypto on Node 20). */
export function fixtureEd25519(): Promise<Ed25519> {
  return detectEd25519();
}

/** A fresh random Ed25519 key pair. */
export async function generateKeyPair(ed?: Ed25519): Promise<KeyPair> {
  const backend = ed ?? (await fixtureEd25519());
  const seed = new Uint8Array(randomBytes(32));
  registerPrivateKey(seed, 'an Ed25519 seed');
  return { seed, publicKey: encodeBase64(await backend.publicKey(seed)) };
}

/** Random [A-Za-z0-9] string (secret-storage key IDs look like this in js-sdk). */
export function randomId(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Map with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** A copy of a JSON object without `unsigned` (what signatures/upload wants back). */
export function withoutUnsigned<T extends Record<string, unknown>>(object: T): Omit<T, 'unsigned'> {
  const { unsigned: _unsigned, ...rest } = object;
  return rest;
}
