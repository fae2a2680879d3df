/**
 * Repairs as explicit, previewable step lists.
 *
 * Invariants:
 * - A plan is built completely BEFORE anything is sent: every step carries the exact method,
 *   path and body that the executor will send, so the UI can show "exactly these requests".
 *   Signatures are deterministic (RFC 8032) and ciphertexts are computed up front, so running a
 *   plan needs no private key: a restarted background resumes from the plan and its progress
 *   alone (the extension mirrors both, docs/design.md#repair-resume; the CLI does not resume).
 * - Plans and progress are plain JSON. They never hold an access token or a private key (seeds
 *   and secret-storage keys stay with the caller, e.g. BuiltPlan.secrets and CheckedSecretStorageKey). They
 *   may hold secrets *encrypted* under the user's secret-storage key: the same ciphertext the
 *   server stores.
 * - "Nothing lost": a step uploading new public keys `requires` the steps that stored their
 *   private halves in secret storage, unless the plan's safeguard is `export-confirmed` (the user
 *   saved the export file first). Builders refuse to plan otherwise; the executor re-checks.
 * - The plan ID is a hash of its content, so progress cannot be applied to another plan.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalJson } from '../canonical-json.ts';
import { encodePath, v3 } from '../matrix/url.ts';
import type { KeyRole } from '../roles.ts';
import type { RepairKind } from './repair-kinds.ts';

/**
 * A plan's kind is the kind of the RepairRequest it answers (one vocabulary: repair-kinds.ts).
 * store-secrets from an export file and from another key are two plans of one kind, told apart
 * by their steps and titles.
 */
export type { RepairKind } from './repair-kinds.ts';

export type StepKind = 'put-secret' | 'upload-cross-signing-keys' | 'upload-signatures' | 'put-backup-version' | 'create-backup-version' | 'delete-device';

/** What protects the private halves of keys this plan uploads. */
export type Safeguard = 'secret-storage' | 'export-confirmed' | 'not-applicable';

export interface PlannedRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  /** Percent-encoded, e.g. `/_matrix/client/v3/keys/device_signing/upload`. */
  path: string;
  /** The same path as raw segments, as the client takes them. */
  segments: string[];
  /** Sent as is (plus `auth` for UIA steps). Token-free; no private key. */
  body: Record<string, unknown>;
}

export interface RepairStep {
  id: string;
  title: string;
  kind: StepKind;
  request: PlannedRequest;
  /** May need user-interactive authentication (`device_signing/upload`, `DELETE /devices/{deviceId}`). */
  uia: boolean;
  /** Step IDs that must be completed before this one ("nothing lost"). */
  requires: string[];
}

export interface RepairPlan {
  format: 'xsign-doctor.repair-plan';
  version: 1;
  id: string;
  kind: RepairKind;
  title: string;
  userId: string;
  safeguard: Safeguard;
  /** Public keys this plan publishes (new keys) or works with. */
  publicKeys: Partial<Record<KeyRole, string>>;
  steps: RepairStep[];
  /** Things the user should know before running it. */
  notes: string[];
}

/** One rejected signature of a signatures/upload step (Synapse: `{status, errcode, message}`, docs/matrix-api.md#signatures-upload). */
export interface SignatureFailure {
  userId: string;
  keyId: string;
  errcode: string;
  message?: string;
  status?: number;
}

export type StepResult = { status: 'done' } | { status: 'done-with-failures'; failures: SignatureFailure[] };

/** Resumable progress of one plan, saved by the caller after every step. Plain JSON. */
export interface RepairProgress {
  format: 'xsign-doctor.repair-progress';
  version: 1;
  planId: string;
  kind: RepairKind;
  userId: string;
  publicKeys: Partial<Record<KeyRole, string>>;
  completedStepIds: string[];
  results: Record<string, StepResult>;
  finished: boolean;
  updatedAt: string;
}

function request(method: PlannedRequest['method'], segments: string[], body: Record<string, unknown>): PlannedRequest {
  return { method, path: encodePath(segments), segments, body };
}

/**
 * `PUT /user/{userId}/account_data/{name}` for a secret (docs/matrix-api.md#secret-storage-account-data). The only account-data write the
 * tool has: should it ever write a key description (`m.secret_storage.key.*`), that description
 * must carry its key check, or any key would pass it (see KeyProof in secrets.ts).
 * @throws {RangeError} For a key description without string `iv` and `mac`.
 */
export function putSecretStep(id: string, title: string, userId: string, name: string, content: Record<string, unknown>): RepairStep {
  if (name.startsWith('m.secret_storage.key.') && (typeof content.iv !== 'string' || typeof content.mac !== 'string')) {
    throw new RangeError(`refusing to write ${name} without its key check (iv and mac)`);
  }
  return { id, title, kind: 'put-secret', request: request('PUT', v3('user', userId, 'account_data', name), content), uia: false, requires: [] };
}

/** `POST /keys/device_signing/upload` (docs/matrix-api.md#device-signing-upload), with UIA. */
export function uploadKeysStep(id: string, title: string, body: Record<string, unknown>, requires: string[]): RepairStep {
  return { id, title, kind: 'upload-cross-signing-keys', request: request('POST', v3('keys', 'device_signing', 'upload'), body), uia: true, requires };
}

/** `POST /keys/signatures/upload` (docs/matrix-api.md#signatures-upload). */
export function uploadSignaturesStep(id: string, title: string, body: Record<string, unknown>, requires: string[]): RepairStep {
  return { id, title, kind: 'upload-signatures', request: request('POST', v3('keys', 'signatures', 'upload'), body), uia: false, requires };
}

/** `PUT /room_keys/version/{version}` (docs/matrix-api.md#key-backup). */
export function putBackupStep(id: string, title: string, version: string, body: Record<string, unknown>, requires: string[]): RepairStep {
  return { id, title, kind: 'put-backup-version', request: request('PUT', v3('room_keys', 'version', version), body), uia: false, requires };
}

/**
 * `POST /room_keys/version` (docs/matrix-api.md#key-backup-create): a new backup version, which
 * becomes the current one. Not idempotent (each POST makes a version), so a resumed run asks
 * the server first whether the current version already carries this auth_data (step-applied.ts).
 */
export function createBackupStep(id: string, title: string, body: Record<string, unknown>, requires: string[]): RepairStep {
  return { id, title, kind: 'create-backup-version', request: request('POST', v3('room_keys', 'version'), body), uia: false, requires };
}

/** `DELETE /devices/{deviceId}` (docs/matrix-api.md#delete-device), with UIA: signs the session out and deletes its keys. */
export function deleteDeviceStep(id: string, title: string, deviceId: string, requires: string[] = []): RepairStep {
  return { id, title, kind: 'delete-device', request: request('DELETE', v3('devices', deviceId), {}), uia: true, requires };
}

/** Assemble a plan and give it its content-derived ID. @throws {CanonicalJsonError} on non-canonical bodies. */
export function finishPlan(fields: Omit<RepairPlan, 'format' | 'version' | 'id'>): RepairPlan {
  const digest = bytesToHex(sha256(new TextEncoder().encode(canonicalJson(fields)))).slice(0, 24);
  return { format: 'xsign-doctor.repair-plan', version: 1, id: `${fields.kind}-${digest}`, ...fields };
}

/**
 * Several plans built on one inspection, joined into one plan of `kind` (the composed fix,
 * src/core/app/compose-fix.ts): their steps in order, each ID prefixed with its part's kind (and
 * its `requires` likewise, so "nothing lost" holds inside each part), the publishing part's
 * safeguard and keys. One plan, so one preview, one progress, one resume.
 * @throws {RangeError} With no part, or two parts publishing keys under different safeguards.
 */
export function composePlans(kind: RepairKind, title: string, parts: readonly RepairPlan[]): RepairPlan {
  if (parts.length === 0) throw new RangeError('a composed plan needs at least one part');
  if (parts.length === 1 && parts[0]!.kind === kind) return parts[0]!;
  const safeguards = [...new Set(parts.map((p) => p.safeguard).filter((s) => s !== 'not-applicable'))];
  if (safeguards.length > 1) throw new RangeError(`the parts of one plan rely on different safeguards (${safeguards.join(', ')})`);
  const steps = parts.flatMap((p, i) => p.steps.map((step) => ({
    ...step, id: `${i + 1}-${p.kind}/${step.id}`, requires: step.requires.map((r) => `${i + 1}-${p.kind}/${r}`),
  })));
  const publicKeys: Partial<Record<KeyRole, string>> = {};
  // The first part that publishes keys runs first (REPAIR_RANK): its keys are the ones that stand.
  for (const p of [...parts].reverse()) Object.assign(publicKeys, p.publicKeys);
  return finishPlan({
    kind, title, userId: parts[0]!.userId, safeguard: safeguards[0] ?? 'not-applicable', publicKeys, steps,
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  });
}

/** Fresh progress for a plan. */
export function startProgress(plan: RepairPlan, now: Date = new Date()): RepairProgress {
  return {
    format: 'xsign-doctor.repair-progress', version: 1, planId: plan.id, kind: plan.kind, userId: plan.userId,
    publicKeys: { ...plan.publicKeys }, completedStepIds: [], results: {}, finished: plan.steps.length === 0,
    updatedAt: now.toISOString(),
  };
}
