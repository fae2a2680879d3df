/**
 * Cross-signing own devices with the self-signing key: the body of `POST /keys/signatures/upload`
 * (docs/matrix-api.md#signatures-upload, docs/matrix-api.md#correct-identity). Each device object is the one /keys/query returned, without
 * `unsigned` (not covered by signatures, and Synapse compares the rest with what it stored: "Key
 * does not match" otherwise), with its existing signatures kept and the SSK's added.
 */
import { isJsonObject, isString, own } from '../matrix/json-guards.ts';
import { deviceKeysProblem } from '../matrix/parse.ts';
import type { DeviceKeys } from '../matrix/types.ts';
import type { Ed25519 } from '../ed25519.ts';
import { fail, ok, type Result } from '../result.ts';
import { signJson } from '../signing.ts';
import type { PlanError } from './errors.ts';
import { checkCrossSigningKey } from './key-shape.ts';
import { seedMatches } from './keys.ts';
import { say } from '../words/say.ts';

/** The signatures/upload body `{ <userId>: { <deviceId>: signed device } }`, and the device IDs. */
export interface SignedDevices {
  body: Record<string, Record<string, DeviceKeys>>;
  deviceIds: string[];
}

/**
 * Sign devices with the self-signing key.
 *
 * @param devices - Device objects exactly as from /keys/query (untrusted).
 * @param ssk - The SSK's seed (PRIVATE) and unpadded base64 public key.
 */
export async function signDevices(
  userId: string, devices: readonly unknown[], ssk: { seed: Uint8Array; publicKey: string }, ed: Ed25519,
): Promise<Result<SignedDevices, PlanError>> {
  if (!Array.isArray(devices) || devices.length === 0) return fail({ code: 'nothing-to-do', message: say('core_eng_sign_devices_none') });
  const perDevice: Record<string, DeviceKeys> = {};
  const deviceIds: string[] = [];
  for (const device of devices) {
    const problem = deviceKeysProblem(device);
    if (problem !== undefined) return fail({ code: 'bad-input', message: say('core_eng_sign_devices_bad_object', problem) });
    const record = device as DeviceKeys;
    const deviceId = record.device_id;
    if (record.user_id !== userId) return fail({ code: 'bad-input', message: say('core_eng_sign_devices_other_user', deviceId, record.user_id) });
    if (deviceId === '__proto__' || Object.prototype.hasOwnProperty.call(perDevice, deviceId)) {
      return fail({ code: 'bad-input', message: say('core_eng_sign_devices_twice', deviceId) });
    }
    const { unsigned: _unsigned, ...bare } = record;
    try {
      perDevice[deviceId] = await signJson(bare, { entity: userId, keyId: `ed25519:${ssk.publicKey}`, seed: ssk.seed }, ed);
    } catch (error) {
      // No canonical form (e.g. a float): it cannot carry a valid signature anyway.
      return fail({ code: 'bad-input', message: say('core_eng_sign_devices_unsignable', deviceId, error instanceof Error ? error.message : 'error') });
    }
    deviceIds.push(deviceId);
  }
  return ok({ body: { [userId]: perDevice }, deviceIds });
}

/**
 * The published self-signing (or other) key's public key, checked to be derived from `seed`.
 * @param published - The key object from /keys/query (untrusted).
 */
export async function publishedKeyForSeed(
  userId: string, usage: string, published: unknown, seed: Uint8Array, ed: Ed25519,
): Promise<Result<string, PlanError>> {
  const checked = checkCrossSigningKey(published, userId, usage);
  if (!checked.ok) return fail({ code: 'bad-input', message: say('core_eng_published_key_bad', usage, checked.error.message) });
  if (!(await seedMatches(seed, checked.value.publicKey, ed))) {
    return fail({ code: 'seed-mismatch', message: say('core_eng_seed_not_published_key', usage, checked.value.publicKey) });
  }
  return ok(checked.value.publicKey);
}

/** Device IDs from a list of device objects, skipping malformed ones (for backup signature pruning). */
export function deviceIdsOf(devices: readonly unknown[]): string[] {
  return devices.flatMap((d) => (isJsonObject(d) && isString(own(d, 'device_id')) ? [own(d, 'device_id') as string] : []));
}
