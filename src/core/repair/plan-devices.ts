/**
 * Repair c: cross-sign some or all own devices with the self-signing key from secret storage
 * (docs/matrix-api.md#signatures-upload, docs/matrix-api.md#correct-identity). One `POST /keys/signatures/upload`; Synapse answers 200 with
 * per-device failures (`{status, errcode, message}`), recorded by the executor per device.
 */
import type { Ed25519 } from '../ed25519.ts';
import { ok, type Result } from '../result.ts';
import { ROLE } from '../roles.ts';
import { publishedKeyForSeed, signDevices } from './device-signing.ts';
import type { PlanError } from './errors.ts';
import { finishPlan, uploadSignaturesStep, type RepairPlan } from './plans.ts';
import { say } from '../words/say.ts';

export interface CrossSignDevicesInput {
  userId: string;
  /** The self-signing seed (PRIVATE), e.g. read with readSeed from `m.cross_signing.self_signing`. */
  selfSigningSeed: Uint8Array;
  /** The self-signing key as published (/keys/query): the seed must derive it. */
  publishedSelfSigningKey: unknown;
  /** The device objects to sign, exactly as from /keys/query. */
  devices: readonly unknown[];
  ed: Ed25519;
}

export async function planCrossSignDevices(input: CrossSignDevicesInput): Promise<Result<RepairPlan, PlanError>> {
  const publicKey = await publishedKeyForSeed(input.userId, ROLE.selfSigning.usage, input.publishedSelfSigningKey, input.selfSigningSeed, input.ed);
  if (!publicKey.ok) return publicKey;
  const signed = await signDevices(input.userId, input.devices, { seed: input.selfSigningSeed, publicKey: publicKey.value }, input.ed);
  if (!signed.ok) return signed;
  return ok(finishPlan({
    kind: 'sign-devices', title: say('core_plan_sign_devices'), userId: input.userId, safeguard: 'not-applicable',
    publicKeys: { selfSigning: publicKey.value },
    steps: [uploadSignaturesStep('sign-devices', say('core_step_sign_devices', signed.value.deviceIds.join(', ')), signed.value.body, [])],
    notes: [say('core_note_sign_only_recognised')],
  }));
}
