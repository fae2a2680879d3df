/**
 * Checks on the user's own devices from keys/query: docs/matrix-api.md#inspector-checklist items 3
 * (each device carries a valid self-signing-key signature; spec v1.18 / MSC4153 recommends
 * ignoring devices that do not) and 4 (no device ID equals a cross-signing public key), plus the
 * device's own signature over its keys (`DeviceKeys`, spec §keys/query).
 */
import { quote } from '../matrix/json-guards.ts';
import type { Ed25519 } from '../ed25519.ts';
import type { KeysQueryResult } from '../matrix/parse.ts';
import type { DeviceKeys } from '../matrix/types.ts';
import { mapLimited } from '../map-limited.ts';
import {
  decodePublicKey, ed25519SignerSuffixes, looksLikePublicKey, own, reportText, verifySafelyEach,
} from './check-helpers.ts';
import { problem, quoteInside, type Problem } from './problems.ts';
import type { DeviceReport } from './report-types.ts';
import { say } from '../words/say.ts';
import { CORE_MESSAGES } from '../words/core-messages.ts';

/** The fixed start of the two shape problems the problems below look for (the words before $1). */
const NAMES_USER = CORE_MESSAGES.core_ins_device_names_user.split('$1')[0]!;
const ID_DIFFERS = CORE_MESSAGES.core_ins_device_id_differs.split('$1')[0]!;

/** Verifications in flight at once: enough to keep WebCrypto busy, few enough to stay lean. */
const CONCURRENCY = 64;

export interface DeviceContext {
  userId: string;
  /** The session's own device, flagged as `isThisDevice`. */
  deviceId?: string | undefined;
  /** The current self-signing key, when usable. */
  selfSigning: Uint8Array | null;
  selfSigningPub: string | null;
  masterPub: string | null;
  /** Public keys and key-ID suffixes of the cross-signing keys (checklist item 4). */
  keyStrings: ReadonlySet<string>;
  /** False when the self-signing key is missing or malformed: that is the root problem then. */
  reportCrossSigning: boolean;
}

export interface DeviceResult {
  devices: DeviceReport[];
  problems: Problem[];
}

/** The user's devices as parsed, sorted by device ID for a stable report. */
export function ownDevices(keys: KeysQueryResult, userId: string): [string, DeviceKeys][] {
  const all = keys.response.device_keys;
  const mine = all !== undefined && Object.prototype.hasOwnProperty.call(all, userId) ? all[userId] : undefined;
  return Object.entries(mine ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Device ID → its ed25519 public key, for devices whose key decodes. */
export function deviceEd25519Keys(devices: readonly [string, DeviceKeys][]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [deviceId, device] of devices) {
    const bytes = decodePublicKey(own(device.keys, `ed25519:${deviceId}`));
    if (bytes !== null) out.set(deviceId, bytes);
  }
  return out;
}

/**
 * Can a cross-signature vouch for this device? Only when its own keys check out: a valid
 * self-signature over them (the device signs its own keys, end-to-end encryption module §Device
 * keys), the right user and device ID, and an ID that is not also a cross-signing public key
 * (docs/matrix-api.md#inspector-checklist item 4). Signing anything less would put the identity's trust on keys nobody proved.
 */
export function isSignable(d: Pick<DeviceReport, 'selfSignature' | 'collidesWithKey' | 'shapeProblems'>): boolean {
  return d.selfSignature === 'valid' && !d.collidesWithKey && d.shapeProblems.length === 0;
}

async function checkOne(
  deviceId: string, device: DeviceKeys, edKey: Uint8Array | undefined, ctx: DeviceContext, ed: Ed25519,
): Promise<DeviceReport> {
  const ed25519 = own(device.keys, `ed25519:${deviceId}`);
  const curve25519 = own(device.keys, `curve25519:${deviceId}`);
  const ssk = ctx.selfSigning !== null && ctx.selfSigningPub !== null ? { suffix: ctx.selfSigningPub, publicKey: ctx.selfSigning } : undefined;
  const [self, cross] = await verifySafelyEach(device, ctx.userId, [edKey === undefined ? undefined : { suffix: deviceId, publicKey: edKey }, ssk], ed);
  const selfSignature = self ?? 'no-key';
  const bySsk = cross ?? 'not-signed';
  // "Old key": signed by something shaped like a cross-signing key that is not the current one,
  // typically the self-signing key that a reset replaced.
  const oldSigners = ed25519SignerSuffixes(device, ctx.userId)
    .filter((s) => s !== deviceId && s !== ctx.selfSigningPub && s !== ctx.masterPub && looksLikePublicKey(s));
  const crossSigned = bySsk === 'valid' ? 'valid' : bySsk === 'invalid' ? 'invalid' : oldSigners.length > 0 ? 'old-key' : 'absent';
  const shapeProblems: string[] = [];
  if (device.user_id !== ctx.userId) shapeProblems.push(say('core_ins_device_names_user', quote(device.user_id)));
  if (device.device_id !== deviceId) shapeProblems.push(say('core_ins_device_id_differs', quote(device.device_id)));
  const collidesWithKey = ctx.keyStrings.has(deviceId);
  return {
    deviceId,
    displayName: reportText(own(device.unsigned, 'device_display_name')),
    ed25519: typeof ed25519 === 'string' ? ed25519 : null,
    curve25519: typeof curve25519 === 'string' ? curve25519 : null,
    selfSignature,
    crossSigned,
    oldSignerKeyIds: oldSigners.slice(0, 8).map((s) => `ed25519:${s}`),
    isThisDevice: ctx.deviceId !== undefined && deviceId === ctx.deviceId,
    collidesWithKey,
    shapeProblems,
    signable: isSignable({ selfSignature, collidesWithKey, shapeProblems }),
  };
}

function problemsFor(d: DeviceReport, ctx: DeviceContext): Problem[] {
  const out: Problem[] = [];
  const subject = d.deviceId;
  // Display names stay out of messages: they are the user's personal text and may be hostile.
  const name = quote(d.deviceId);
  if (d.shapeProblems.some((p) => p.startsWith(NAMES_USER))) {
    out.push(problem('key-for-other-user', say('core_ins_device_other_user', name), { subject, repair: null }));
  }
  if (d.shapeProblems.some((p) => p.startsWith(ID_DIFFERS))) {
    out.push(problem('device-keys-malformed', say('core_ins_device_malformed', quoteInside(d.deviceId), d.shapeProblems.join('; ')), { subject }));
  }
  if (d.collidesWithKey) {
    out.push(problem('device-id-collides-with-key', say('core_ins_device_collides', name), { subject }));
  }
  if (d.selfSignature !== 'valid') {
    const id = d.selfSignature === 'no-key' ? 'core_ins_device_no_ed25519' : d.selfSignature === 'invalid' ? 'core_ins_device_self_signature_invalid' : 'core_ins_device_self_signature_missing';
    out.push(problem('device-self-signature-invalid', say(id, name), { subject }));
    return out; // never suggest cross-signing a device whose own keys do not check out
  }
  // Cross-signing problems point at sign-devices, which signs only signable devices: for any
  // other device the collision or shape problem above is the root, the rest is noise.
  if (!ctx.reportCrossSigning || !d.signable) return out;
  if (d.crossSigned === 'absent') {
    out.push(problem('device-not-cross-signed', say('core_ins_device_not_cross_signed', name), { subject }));
  } else if (d.crossSigned === 'invalid') {
    out.push(problem('device-cross-signature-invalid', say('core_ins_device_cross_signature_invalid', name), { subject }));
  } else if (d.crossSigned === 'old-key') {
    out.push(problem('device-signed-by-old-key', say('core_ins_device_old_key', name), { subject }));
  }
  return out;
}

/**
 * Check every device of `ctx.userId` (all of them, however many: verification is batched and
 * the WebCrypto backend caches the self-signing key).
 */
export async function checkDevices(
  devices: readonly [string, DeviceKeys][], edKeys: ReadonlyMap<string, Uint8Array>, ctx: DeviceContext, ed: Ed25519,
): Promise<DeviceResult> {
  const reports = await mapLimited(devices, CONCURRENCY, ([id, device]) => checkOne(id, device, edKeys.get(id), ctx, ed));
  return { devices: reports, problems: reports.flatMap((d) => problemsFor(d, ctx)) };
}
