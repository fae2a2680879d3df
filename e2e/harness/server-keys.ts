// What Synapse holds after a repair, read directly (never through the fault proxy): the published
// keys, which master keys secret storage can still give back, and whether a planned write step
// is on the server. Used by the repair, fault-injection and worker-restart tests.
import { redactedRequestBody } from '../../src/core/inspect/redaction.ts';
import { isDeepStrictEqual } from 'node:util';
import { publicKeyOf, type wire } from '../../src/core/index.ts';
import type { RepairStepView } from '../../src/ext/protocol.ts';
import { clientFor, queryOwnKeys, type SecretStorageFixture, type Session } from './identity.ts';
import { storedSeedPublicKey } from './stored-seeds.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Json : {});

/** The user's published cross-signing public keys, and the whole keys/query answer. */
export async function publishedKeys(s: Session) {
  const keys = await queryOwnKeys(s);
  const me = s.userId;
  return { master: publicKeyOf(keys.master_keys?.[me]), selfSigning: publicKeyOf(keys.self_signing_keys?.[me]), userSigning: publicKeyOf(keys.user_signing_keys?.[me]), keys };
}

export async function publishedMaster(s: Session): Promise<string | undefined> {
  return (await publishedKeys(s)).master;
}

/**
 * The public keys of the master seeds secret storage can give back with the user's recovery
 * key(s): the current secret and the copy a reset kept aside (plan-new-keys.ts).
 */
export async function recoverableMasters(s: Session, ...keys: (SecretStorageFixture | undefined)[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ss of keys) {
    if (ss === undefined) continue;
    for (const slot of ['current', 'previous'] as const) {
      try {
        const publicKey = await storedSeedPublicKey(s, ss, 'master', slot);
        if (publicKey !== null) found.add(publicKey);
      } catch {
        // Not decryptable with this key: not recoverable with it.
      }
    }
  }
  return found;
}

/** Every signature of `wanted` (per signer) is also in `have`. */
function hasSignatures(have: unknown, wanted: unknown): boolean {
  const want = obj(wanted);
  return Object.keys(want).length > 0 && Object.entries(want).every(([signer, sigs]) =>
    Object.entries(obj(sigs)).every(([keyId, sig]) => obj(obj(have)[signer])[keyId] === sig));
}

/** Is the write of this planned step on the server now? (Decided per endpoint.) */
export async function stepApplied(s: Session, step: Pick<RepairStepView, 'method' | 'path' | 'body'>): Promise<boolean> {
  const client = clientFor(s);
  const segments = step.path.split('/').slice(1).map(decodeURIComponent);
  const body = obj(step.body);
  if (step.method === 'PUT' && segments.includes('account_data')) {
    // A flow's view redacts each secret's ciphertext and MAC (src/core/inspect/redaction.ts), so
    // compare both sides redacted: the random 16-byte IV of every entry, the key IDs, the
    // structure and the ciphertext lengths still identify the very write the plan made.
    // `body` may come redacted (a flow's view) or not (a plan): redacting twice would change the
    // lengths the placeholder names, so try it as given first.
    const onServer = redactedRequestBody(await client.getAccountData(s.userId, segments.at(-1)!));
    return isDeepStrictEqual(onServer, body) || isDeepStrictEqual(onServer, redactedRequestBody(body));
  }
  if (step.method === 'PUT' && segments.includes('room_keys')) {
    const backup = obj(await client.request('GET', segments));
    return hasSignatures(obj(backup['auth_data'])['signatures'], obj(body['auth_data'])['signatures']);
  }
  const keys: wire.KeysQueryResponse = await queryOwnKeys(s);
  if (step.path.endsWith('/keys/device_signing/upload')) {
    const field = body['master_key'] !== undefined ? 'master_keys' : 'self_signing_keys';
    const sent = obj(body[field === 'master_keys' ? 'master_key' : 'self_signing_key']);
    return isDeepStrictEqual(obj(keys[field]?.[s.userId])['keys'], sent['keys']);
  }
  if (step.path.endsWith('/keys/signatures/upload')) {
    // Other people's master keys (verify-user, reverify-users, keep-verified): my signature on
    // their current master, as keys/query shows it to me.
    const others = Object.keys(body).filter((u) => u !== s.userId);
    const theirs = others.length === 0 ? {} : (await client.queryKeys(others)).response.master_keys ?? {};
    const onOthers = others.every((userId) => Object.entries(obj(body[userId])).every(([keyId, signed]) => {
      const master = theirs[userId];
      const mine = obj(obj(signed)['signatures'])[s.userId];
      return master !== undefined && publicKeyOf(master) === keyId && hasSignatures(master.signatures, { [s.userId]: mine });
    }));
    return onOthers && Object.entries(obj(body[s.userId])).every(([keyId, signed]) => {
      const target = keys.device_keys?.[s.userId]?.[keyId]
        ?? (publicKeyOf(keys.master_keys?.[s.userId]) === keyId ? keys.master_keys?.[s.userId] : undefined);
      return target !== undefined && hasSignatures(target.signatures, obj(signed)['signatures']);
    });
  }
  throw new Error(`stepApplied: no check for ${step.method} ${step.path}`);
}
