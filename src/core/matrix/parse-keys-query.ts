/**
 * Parser for `POST /keys/query` responses. Signed objects (device keys, cross-signing keys)
 * are returned as the very objects received: no copy, no normalisation, because their
 * signatures cover these bytes (docs/design.md#crypto). Only the maps around them are rebuilt,
 * without the malformed entries.
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysquery
 */
import { fail, ok, type Result } from '../result.ts';
import {
  describeType, isJsonObject, isSignatures, isString, isStringArray, isStringRecord, own,
  PROTO_KEY, quote, setOwn, withinDepth,
} from './json-guards.ts';
import type { CrossSigningKey, DeviceKeys, KeysQueryResponse } from './types.ts';
import { say } from '../words/say.ts';

/** Signed objects are a few levels deep; anything deeper than this is hostile. */
const MAX_SIGNED_DEPTH = 16;

type CrossSigningSection = 'master_keys' | 'self_signing_keys' | 'user_signing_keys';

/** An entry left out of {@link KeysQueryResult.response} because it was malformed. */
export interface KeysQuerySkipped {
  section: 'device_keys' | CrossSigningSection | 'failures';
  userId: string;
  deviceId?: string;
  problem: string;
}

/**
 * A parsed keys/query response. When `skipped` is not empty the response is incomplete:
 * a key missing from it may exist on the server, so never conclude "no key" (and never
 * offer a reset) for a user listed there.
 */
export interface KeysQueryResult {
  response: KeysQueryResponse;
  skipped: KeysQuerySkipped[];
  /** `skipped`, as sentences for logs and the UI. */
  warnings: string[];
}

function signedObjectProblem(value: Record<string, unknown>): string | undefined {
  if (!isString(own(value, 'user_id'))) return say('core_mx_signed_user_id');
  if (!isStringRecord(own(value, 'keys'))) return say('core_mx_signed_keys');
  const signatures = own(value, 'signatures');
  if (signatures !== undefined && !isSignatures(signatures)) {
    return say('core_eng_shape_signatures');
  }
  if (!withinDepth(value, MAX_SIGNED_DEPTH)) return say('core_mx_signed_too_deep', MAX_SIGNED_DEPTH);
  return undefined;
}

/** Why `value` is not a usable {@link DeviceKeys}, or undefined if it is. */
export function deviceKeysProblem(value: unknown): string | undefined {
  if (!isJsonObject(value)) return say('core_eng_shape_not_object', describeType(value));
  if (!isString(own(value, 'device_id'))) return say('core_mx_device_id');
  if (!isStringArray(own(value, 'algorithms'))) return say('core_mx_device_algorithms');
  if (own(value, 'signatures') === undefined) return say('core_mx_device_signatures_missing');
  const unsigned = own(value, 'unsigned');
  if (unsigned !== undefined) {
    if (!isJsonObject(unsigned)) return say('core_mx_device_unsigned');
    const name = own(unsigned, 'device_display_name');
    if (name !== undefined && !isString(name)) return say('core_mx_device_display_name');
  }
  return signedObjectProblem(value);
}

/** Why `value` is not a usable {@link CrossSigningKey}, or undefined if it is. */
export function crossSigningKeyProblem(value: unknown): string | undefined {
  if (!isJsonObject(value)) return say('core_eng_shape_not_object', describeType(value));
  if (!isStringArray(own(value, 'usage'))) return say('core_eng_shape_usage_not_strings');
  return signedObjectProblem(value);
}

function describeSkip(s: KeysQuerySkipped): string {
  // The last ID, a colon and the problem are one substitution: a colon alone between two
  // substitutions would not tell the popup where the quoted ID ends (said-again.ts).
  return s.deviceId === undefined
    ? say('core_mx_keys_query_skipped', s.section, `${quote(s.userId)}: ${s.problem}`)
    : say('core_mx_keys_query_skipped_device', s.section, quote(s.userId), `${quote(s.deviceId)}: ${s.problem}`);
}

/**
 * Validate a keys/query response. Fails only when the response as a whole is unusable
 * (not an object, or a key section that is not an object); a malformed user or device is
 * left out and reported in `skipped`/`warnings`. Keys for users that were not asked for are
 * kept: flagging them is the caller's job. Never throws.
 */
export function parseKeysQueryResponse(value: unknown): Result<KeysQueryResult> {
  if (!isJsonObject(value)) return fail(say('core_mx_keys_query_not_object', describeType(value)));
  const skipped: KeysQuerySkipped[] = [];
  const response: KeysQueryResponse = {};

  const failures = own(value, 'failures');
  if (failures !== undefined) {
    if (isJsonObject(failures)) {
      const kept: Record<string, Record<string, unknown>> = {};
      for (const [server, detail] of Object.entries(failures)) {
        if (server !== PROTO_KEY) setOwn(kept, server, isJsonObject(detail) ? detail : {});
      }
      response.failures = kept;
    } else {
      skipped.push({ section: 'failures', userId: '', problem: say('core_eng_shape_not_object', describeType(failures)) });
    }
  }

  const deviceKeys = own(value, 'device_keys');
  if (deviceKeys !== undefined) {
    if (!isJsonObject(deviceKeys)) return fail(say('core_mx_keys_query_section_not_object', 'device_keys', describeType(deviceKeys)));
    const users: Record<string, Record<string, DeviceKeys>> = {};
    for (const [userId, devices] of Object.entries(deviceKeys)) {
      if (userId === PROTO_KEY || !isJsonObject(devices)) {
        const problem = userId === PROTO_KEY ? say('core_mx_reserved_key') : say('core_eng_shape_not_object', describeType(devices));
        skipped.push({ section: 'device_keys', userId, problem });
        continue;
      }
      const kept: Record<string, DeviceKeys> = {};
      for (const [deviceId, device] of Object.entries(devices)) {
        const problem = deviceId === PROTO_KEY ? say('core_mx_reserved_key') : deviceKeysProblem(device);
        if (problem === undefined) setOwn(kept, deviceId, device as DeviceKeys);
        else skipped.push({ section: 'device_keys', userId, deviceId, problem });
      }
      setOwn(users, userId, kept);
    }
    response.device_keys = users;
  }

  const sections: CrossSigningSection[] = ['master_keys', 'self_signing_keys', 'user_signing_keys'];
  for (const section of sections) {
    const keys = own(value, section);
    if (keys === undefined) continue;
    if (!isJsonObject(keys)) return fail(say('core_mx_keys_query_section_not_object', section, describeType(keys)));
    const kept: Record<string, CrossSigningKey> = {};
    for (const [userId, key] of Object.entries(keys)) {
      const problem = userId === PROTO_KEY ? say('core_mx_reserved_key') : crossSigningKeyProblem(key);
      if (problem === undefined) setOwn(kept, userId, key as CrossSigningKey);
      else skipped.push({ section, userId, problem });
    }
    response[section] = kept;
  }

  return ok({ response, skipped, warnings: skipped.map(describeSkip) });
}
