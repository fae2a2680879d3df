// Reading back, with the recovery key, the private keys a repair left in secret storage: the
// current secrets and the copies kept aside (dev.xsign-doctor.previous.* / .unpublished.*), so
// tests can prove that no published key's private half was lost.
import { decodeBase64, decryptSecret, detectEd25519, encodeBase64, ROLE, type EncryptedSecret, type KeyRole } from '../../src/core/index.ts';
import { LEFTOVER_SECRET_PREFIX, PREVIOUS_SECRET_PREFIX } from '../../src/core/repair/plan-new-keys.ts';
import { clientFor, type FixtureAccount, type SecretStorageFixture, type Session } from './identity.ts';
import { registerPrivateKey } from './secrets-registry.ts';

export type Slot = 'current' | 'previous' | 'unpublished';
const PREFIX: Record<Slot, string> = { current: '', previous: PREVIOUS_SECRET_PREFIX, unpublished: LEFTOVER_SECRET_PREFIX };

/**
 * The public key of the seed stored for `role` in `slot`, decrypted under `ss`, or null when the
 * slot is empty. Throws when it holds nothing `ss` decrypts. The seed is registered with the leak
 * watch (the extension created it, so no fixture did).
 */
export async function storedSeedPublicKey(s: Session, ss: SecretStorageFixture, role: KeyRole, slot: Slot): Promise<string | null> {
  const name = ROLE[role].secretName;
  const data = await clientFor(s).getAccountData(s.userId, `${PREFIX[slot]}${name}`);
  if (data === null) return null;
  // The copies wrap the original content: { secret: <name>, content: { encrypted } }.
  if (slot !== 'current' && data['secret'] !== name) throw new Error(`${PREFIX[slot]}${name} names ${String(data['secret'])}`);
  const content = (slot === 'current' ? data : data['content']) as { encrypted?: Record<string, EncryptedSecret> } | undefined;
  const entry = content?.encrypted?.[ss.keyId];
  if (entry === undefined) throw new Error(`${PREFIX[slot]}${name} is not stored under key ${ss.keyId}`);
  // The HKDF info is the secret's own name, also for the copies (docs/matrix-api.md#secret-encryption).
  const seed = decodeBase64((await decryptSecret(ss.key, name, entry)).trim());
  registerPrivateKey(seed, `${slot} ${name} seed read back from secret storage`);
  return encodeBase64(await (await detectEd25519()).publicKey(seed));
}

/** storedSeedPublicKey for a fixture account, under its default secret-storage key. */
export const storedPublicKey = (hs: { baseUrl: string }, account: Pick<FixtureAccount, 'user' | 'secretStorage'>, role: KeyRole, slot: Slot): Promise<string | null> =>
  storedSeedPublicKey({ baseUrl: hs.baseUrl, userId: account.user.userId, accessToken: account.user.accessToken }, account.secretStorage!, role, slot);
