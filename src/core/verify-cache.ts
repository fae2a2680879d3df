/**
 * Verified results for unchanged signed objects, kept across re-reads: a re-read of a large
 * account brings back the same thousands of device_keys objects, and an Ed25519 verification is
 * a pure function of (public key, signed bytes, signature). The key is exactly those three (the
 * signed bytes are the object's canonical JSON, appendices §Signing Details), so a changed object,
 * key or signature is verified afresh. Bounded, least recently used first out.
 */
import { encodeBase64 } from './base64.ts';
import type { Ed25519 } from './ed25519.ts';

export const VERIFY_CACHE_MAX = 20_000;

export interface VerifyCacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** `ed` with a memory of its verify answers; publicKey and sign pass through. */
export function cachingEd25519(ed: Ed25519, max: number = VERIFY_CACHE_MAX): Ed25519 & { stats(): VerifyCacheStats } {
  const results = new Map<string, Promise<boolean>>();
  // fatal: two different invalid byte strings must not decode to the same key.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let hits = 0;
  let misses = 0;
  return Object.freeze({
    name: ed.name,
    publicKey: (seed: Uint8Array) => ed.publicKey(seed),
    sign: (seed: Uint8Array, message: Uint8Array) => ed.sign(seed, message),
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(message instanceof Uint8Array)) {
        return ed.verify(publicKey, message, signature);
      }
      // Base64 of key and signature have fixed lengths for valid shapes and cannot contain "\n";
      // other lengths are still unambiguous because the separators come before the message.
      let text: string;
      try {
        text = decoder.decode(message);
      } catch {
        return ed.verify(publicKey, message, signature); // not UTF-8, so not canonical JSON: not cached
      }
      const id = `${encodeBase64(publicKey)}\n${encodeBase64(signature)}\n${text}`;
      const cached = results.get(id);
      if (cached) {
        hits++;
        results.delete(id);
        results.set(id, cached);
        return cached;
      }
      misses++;
      const answer = ed.verify(publicKey, message, signature);
      // A rejected promise (a programmer error) is not remembered.
      answer.catch(() => results.delete(id));
      results.set(id, answer);
      while (results.size > max) results.delete(results.keys().next().value!);
      return answer;
    },
    stats: () => ({ hits, misses, size: results.size }),
  });
}
