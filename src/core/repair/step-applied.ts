/**
 * Is a planned write already on the homeserver? Asked before re-sending the step that was in
 * flight when an earlier run stopped (a background restart, a lost answer): its request may have
 * reached the server, and the answer died with the old instance. Every planned write is
 * idempotent (docs/design.md#repair-execution), so "no" only costs one re-send; "yes" saves a
 * password prompt or an approval for an upload that is already done.
 *
 * The server's answers are untrusted: anything unreadable counts as "not applied" (the step is
 * sent again, exactly as previewed), never as "applied".
 */
import { canonicalJson } from '../canonical-json.ts';
import { MatrixApiError } from '../matrix/errors.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { v3 } from '../matrix/url.ts';
import { ROLE, ROLES } from '../roles.ts';
import type { RepairPlan, RepairStep } from './plans.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Json : {});

/** Same JSON value, key order aside (false for anything without a canonical form). */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** Every signature of `wanted` (per signer, per key ID) is also in `have`. */
function hasSignatures(have: unknown, wanted: unknown): boolean {
  const want = obj(wanted);
  return Object.keys(want).length > 0 && Object.entries(want).every(([signer, sigs]) =>
    Object.keys(obj(sigs)).length > 0 && Object.entries(obj(sigs)).every(([keyId, sig]) => obj(obj(have)[signer])[keyId] === sig));
}

/** GET the resource a PUT step writes; a 404 is "not there". */
/** What the check needs of the client (the executor's RepairClient is one). */
type ReadClient = Pick<MatrixClient, 'request'>;

async function read(client: ReadClient, step: RepairStep, signal?: AbortSignal): Promise<unknown> {
  try {
    return await client.request('GET', step.request.segments, signal === undefined ? {} : { signal });
  } catch (error) {
    if (error instanceof MatrixApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The ed25519 public key of a cross-signing key object (its only `keys` value). */
const publicKeyIn = (key: unknown): string | undefined => {
  const values = Object.values(obj(obj(key)['keys']));
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
};

/**
 * @returns Whether the homeserver already holds what `step` writes.
 * @throws {MatrixApiError|ConnectionError} The server could not be read (the caller stops: it
 *   cannot tell, and guessing either way could skip a write or repeat one after a change).
 */
export async function stepApplied(client: ReadClient, plan: RepairPlan, step: RepairStep, signal?: AbortSignal): Promise<boolean> {
  const body = step.request.body;
  switch (step.kind) {
    case 'put-secret':
      // Account data comes back as it was PUT (client-server API §Client Config).
      return sameJson(await read(client, step, signal), body);
    case 'put-backup-version': {
      // docs/matrix-api.md#key-backup: the version's auth_data, as last PUT.
      const onServer = obj(await read(client, step, signal));
      return sameJson(onServer['auth_data'], body['auth_data']);
    }
    case 'create-backup-version': {
      // docs/matrix-api.md#key-backup-create: the version this POST made is the current one, with this auth_data.
      let current: unknown;
      try {
        current = await client.request('GET', v3('room_keys', 'version'), signal === undefined ? {} : { signal });
      } catch (error) {
        if (error instanceof MatrixApiError && error.status === 404) return false;
        throw error;
      }
      return obj(current)['algorithm'] === body['algorithm'] && sameJson(obj(current)['auth_data'], body['auth_data']);
    }
    case 'delete-device':
      // docs/matrix-api.md#delete-device: a signed-out session is gone from GET /devices/{deviceId} (404).
      return (await read(client, step, signal)) === undefined;
    case 'upload-cross-signing-keys':
    case 'upload-signatures': {
      // docs/matrix-api.md#keys-query: the published keys, with the signatures uploaded since.
      const keys = obj(await client.request('POST', v3('keys', 'query'), { body: { device_keys: { [plan.userId]: [] } }, ...(signal === undefined ? {} : { signal }) }));
      const mine = (field: string): unknown => obj(keys[field])[plan.userId];
      if (step.kind === 'upload-cross-signing-keys') {
        // docs/matrix-api.md#synapse-upload-uia: the server keeps each key as uploaded.
        const fields = ROLES.map((r) => [ROLE[r].uploadField, ROLE[r].querySection] as const);
        const sent = fields.filter(([f]) => body[f] !== undefined);
        return sent.length > 0 && sent.every(([f, published]) => sameJson(obj(mine(published))['keys'], obj(body[f])['keys']));
      }
      // docs/matrix-api.md#signatures-upload: `{userId: {keyId: signed object}}`.
      const users = Object.entries(body);
      return users.length > 0 && users.every(([userId, perKey]) => {
        if (userId !== plan.userId) return false; // another user's keys are not in this answer: send again
        const signed = Object.entries(obj(perKey));
        return signed.length > 0 && signed.every(([keyId, object]) => {
          const master = mine(ROLE.master.querySection);
          const target = obj(obj(keys['device_keys'])[userId])[keyId] ?? (publicKeyIn(master) === keyId ? master : undefined);
          return target !== undefined && hasSignatures(obj(target)['signatures'], obj(object)['signatures']);
        });
      });
    }
  }
}
