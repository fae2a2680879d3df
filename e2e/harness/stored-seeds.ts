// Reading back, with the recovery key, the private keys a repair left in secret storage: the
// current secrets and the copies kept aside (dev.xsign-doctor.previous.* / .unpublished.*), so
// tests can prove that no published key's private half was lost.
import { createMatrixClient, decodeBase64, decryptSecret, detectEd25519, encodeBase64, type EncryptedSecret, type KeyRole } from '../../src/core/index.ts';
import type { FixtureAccount } from './identity.ts';
import { registerPrivateKey } from './secrets-registry.ts';

const NAME: Record<KeyRole, string> = {
  master: 'm.cross_signing.master', selfSigning: 'm.cross_signing.self_signing', userSigning: 'm.cross_signing.user_signing',
};
export type Slot = 'current' | 'previous' | 'unpublished';
const TYPE = (slot: Slot, name: string) => (slot === 'current' ? name : `dev.xsign-doctor.${slot}.${name}`);

/**
 * The public key of the seed stored for `role` in `slot`, decrypted under the account's default
 * secret-storage key, or null when the slot is empty. The seed is registered with the leak watch
 * (the extension created it, so no fixture did).
 */
export async function storedPublicKey(hs: { baseUrl: string }, account: Pick<FixtureAccount, 'user' | 'secretStorage'>, role: KeyRole, slot: Slot): Promise<string | null> {
  const { user } = account;
  const ss = account.secretStorage!;
  const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: user.accessToken, fetch });
  const data = await client.getAccountData(user.userId, TYPE(slot, NAME[role]));
  if (data === null) return null;
  // The copies wrap the original content: { secret: <name>, content: { encrypted } }.
  const content = (slot === 'current' ? data : data['content']) as { encrypted: Record<string, EncryptedSecret> };
  if (slot !== 'current' && data['secret'] !== NAME[role]) throw new Error(`${TYPE(slot, NAME[role])} names ${String(data['secret'])}`);
  const seed = decodeBase64((await decryptSecret(ss.key, NAME[role], content.encrypted[ss.keyId]!)).trim());
  registerPrivateKey(seed, `${slot} ${NAME[role]} seed read back from secret storage`);
  return encodeBase64(await (await detectEd25519()).publicKey(seed));
}
