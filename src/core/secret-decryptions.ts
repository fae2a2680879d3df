/**
 * The unlocked view of secret storage for one key: every secret decrypted at most once, however
 * many parts of a repair ask for it (the report compares each secret with the published key, the
 * key proof decrypts one when the description has no key check, the builders read the seeds they
 * sign with). Decryption is `decryptSecret` (docs/matrix-api.md#secret-encryption), MAC first.
 *
 * Invariants:
 * - An answer is remembered per secret name AND encrypted entry, so a different ciphertext under
 *   the same name is decrypted on its own.
 * - Failures are remembered too: a bad MAC stays a bad MAC.
 * - `clear()` forgets every plaintext (PRIVATE); the owner calls it with the key's wipe.
 */
import { decryptSecret } from './secret-storage.ts';
import type { EncryptedSecret } from './secret-storage.ts';

export class SecretDecryptions {
  readonly keyId: string;
  readonly #key: Uint8Array;
  readonly #memo = new Map<string, Promise<string>>();

  /** @param key - The secret-storage key of `keyId` (PRIVATE; owned and wiped by the caller). */
  constructor(keyId: string, key: Uint8Array) {
    this.keyId = keyId;
    this.#key = key;
  }

  /**
   * The plaintext of `name` encrypted as `entry` under this key.
   * @throws {SecretStorageError} As {@link decryptSecret}, the same error on every call.
   */
  decrypt(name: string, entry: EncryptedSecret): Promise<string> {
    // The entry comes from the server: its JSON (not its identity) says whether it is the same one.
    const id = `${name}\u0000${JSON.stringify(entry)}`;
    let answer = this.#memo.get(id);
    if (answer === undefined) {
      answer = decryptSecret(this.#key, name, entry);
      // Remembered rejections must not count as unhandled while no one has awaited them yet.
      answer.catch(() => {});
      this.#memo.set(id, answer);
    }
    return answer;
  }

  /** Forget every plaintext (best effort only: JS strings cannot be wiped). */
  clear(): void {
    this.#memo.clear();
  }
}
