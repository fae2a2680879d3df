/**
 * Repair d: secret storage (docs/matrix-api.md#secret-storage). Both repairs only ADD an encryption under the
 * default key to a secret's `encrypted` map; every other entry and field is kept, and nothing is
 * ever deleted (a secret that could not be stored again is never at risk).
 */
import type { Ed25519 } from '../ed25519.ts';
import { parseSecretContent } from '../matrix/parse.ts';
import { fail, ok, type Result } from '../result.ts';
import { publishedKeyForSeed } from './device-signing.ts';
import type { PlanError } from './errors.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { finishPlan, putSecretStep, type RepairPlan, type RepairStep } from './plans.ts';
import { say } from '../words/say.ts';
import { readSecret, readSeed, secretContentWith, seedSecret, storeRefusal, type CheckedSecretStorageKey } from './secrets.ts';

export interface StoreSecretsInput {
  userId: string;
  /** Seeds to store (PRIVATE), e.g. from this device or an export file. */
  seeds: Partial<Record<KeyRole, Uint8Array>>;
  /** The published keys (/keys/query): each seed must derive its key. */
  published: Partial<Record<KeyRole, unknown>>;
  /** Current raw account-data content of each `m.cross_signing.*` secret (null/undefined if unset). */
  existing: Partial<Record<KeyRole, unknown>>;
  /** The default secret-storage key. */
  secretStorage: CheckedSecretStorageKey;
  /** Replace a value under the default key that differs from the seed or cannot be read. Default false. */
  overwriteStale?: boolean;
  ed: Ed25519;
}

function hasEntry(content: unknown, keyId: string): boolean {
  const parsed = parseSecretContent(content);
  return parsed.ok && parsed.value !== null && Object.prototype.hasOwnProperty.call(parsed.value.encrypted, keyId);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Store missing cross-signing secrets under the default key. */
export async function planStoreCrossSigningSecrets(input: StoreSecretsInput): Promise<Result<RepairPlan, PlanError>> {
  const ssss = input.secretStorage;
  if (!ssss.isDefault) return fail({ code: 'bad-secret-storage-key', message: say('core_plan_key_not_default', ssss.keyId) });
  const refusal = storeRefusal(ssss);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: say('core_plan_store_refusal', refusal) });
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  const publicKeys: Partial<Record<KeyRole, string>> = {};
  for (const role of ROLES) {
    const seed = input.seeds[role];
    if (seed === undefined) continue;
    const name = ROLE[role].secretName;
    const publicKey = await publishedKeyForSeed(input.userId, ROLE[role].usage, input.published[role], seed, input.ed);
    if (!publicKey.ok) return publicKey;
    publicKeys[role] = publicKey.value;
    const existing = input.existing[role];
    if (hasEntry(existing, ssss.keyId)) {
      const stored = await readSeed(existing, name, ssss);
      const same = stored.ok && sameBytes(stored.value, seed);
      if (stored.ok) stored.value.fill(0);
      if (same) continue; // already stored under the default key
      if (input.overwriteStale !== true) {
        return fail({ code: 'would-overwrite', message: say('core_plan_store_would_overwrite', name, ssss.keyId) });
      }
      notes.push(say('core_plan_store_stale_replaced', name, ssss.keyId));
    }
    const content = await secretContentWith(existing, name, seedSecret(seed), ssss, 'others');
    steps.push(putSecretStep(`store-${name}`, say('core_plan_store_step', name, ssss.keyId), input.userId, name, content));
  }
  if (steps.length === 0) return fail({ code: 'nothing-to-do', message: say('core_plan_store_nothing_to_do') });
  return ok(finishPlan({
    kind: 'store-secrets', title: say('core_plan_store_title'), userId: input.userId,
    safeguard: 'not-applicable', publicKeys, steps, notes,
  }));
}

export interface ReencryptInput {
  userId: string;
  /** Secrets to copy, each with its current raw account-data content. Any secret name works. */
  secrets: ReadonlyArray<{ name: string; content: unknown }>;
  /** The non-default key the secrets are stored under now. */
  source: CheckedSecretStorageKey;
  /** The default key to add. */
  target: CheckedSecretStorageKey;
}

/** Add an encryption under the default key to secrets only held under another key. */
export async function planReencryptSecrets(input: ReencryptInput): Promise<Result<RepairPlan, PlanError>> {
  const { source, target } = input;
  if (!target.isDefault) return fail({ code: 'bad-secret-storage-key', message: say('core_plan_key_not_default', target.keyId) });
  if (source.keyId === target.keyId) return fail({ code: 'bad-input', message: say('core_plan_reencrypt_same_key') });
  const refusal = storeRefusal(target);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: say('core_plan_store_refusal', refusal) });
  const steps: RepairStep[] = [];
  const seen = new Set<string>();
  for (const { name, content } of input.secrets) {
    if (typeof name !== 'string' || name === '' || seen.has(name)) return fail({ code: 'bad-input', message: say('core_plan_reencrypt_bad_names') });
    seen.add(name);
    if (hasEntry(content, target.keyId)) continue;
    const plaintext = await readSecret(content, name, source);
    if (!plaintext.ok) return plaintext;
    const updated = await secretContentWith(content, name, plaintext.value, target, 'others');
    steps.push(putSecretStep(`reencrypt-${name}`, say('core_plan_reencrypt_step', name, target.keyId, source.keyId),
      input.userId, name, updated));
  }
  if (steps.length === 0) return fail({ code: 'nothing-to-do', message: say('core_plan_reencrypt_nothing_to_do') });
  return ok(finishPlan({
    kind: 'store-secrets', title: say('core_plan_reencrypt_title'), userId: input.userId,
    safeguard: 'not-applicable', publicKeys: {}, steps, notes: [],
  }));
}
