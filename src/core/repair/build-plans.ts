/**
 * Building the plan of each repair from the inspected account: which private keys come from
 * secret storage or an export file, which devices are signed, what vouches for the backup.
 * Everything private (seeds, backup key) is collected in `secrets` for the caller to wipe.
 * Called through src/core/app/prepare-repair.ts, which both front ends use.
 */
import {
  decodeBase64, deriveSecretStorageKey, exportKeysFile, prepareSecretStorageKey, generateCrossSigningKeys, parseKeysExportFile, planCrossSignDevices, planReencryptSecrets,
  planResetCrossSigning, planResignBackup, planStoreCrossSigningSecrets, planUploadKeysFromSeeds, publicKeyOf, readSecret, readSeed, seedMatches, storeRefusal,
  ROLE, ROLES, buildSubkeysForExistingMaster, crossSigningKeyFromSeed, encodeBase64, planManualUpload, planRegenerateSubkeys,
  tryDecodeBase64, validateManualUpload,
  type AccountState, type BackupTrust, type CheckedSecretStorageKey, type Ed25519, type KeyRole, type PlanError,
  type RepairPlan, type Report, type Result, type SecretStorageKeyInput, type wire,
} from '../index.ts';
import { parseJsonText } from '../json-text.ts';
import { planSignUsers, type UserToSign } from './plan-users.ts';
import type { SecretDecryptions } from '../secret-decryptions.ts';
import { say } from '../words/say.ts';

/** A plan plus what must happen before it runs (the export file) and what to wipe afterwards. */
export interface BuiltPlan {
  plan: RepairPlan;
  /** The export file's text (PRIVATE), to write before the plan runs. */
  exportText?: string;
  /** Private bytes to zero once done. */
  secrets: Uint8Array[];
  /** Extra lines for the preview. */
  remarks: string[];
}

/** Not a usage error: the account does not allow this repair (exit 1), or there is nothing to do (exit 0). */
export class PlanRefusedError extends Error {
  override name = 'PlanRefusedError';
  constructor(readonly code: PlanError['code'] | 'missing-secret', message: string) {
    super(message);
  }
}

export interface PlanContext {
  state: AccountState;
  report: Report;
  userId: string;
  deviceId: string | undefined;
  ed: Ed25519;
  /** The checked secret-storage key from --recovery-key / --passphrase. */
  ssss: CheckedSecretStorageKey | undefined;
}

export const raw = (read: { status: string; raw?: unknown }): unknown => (read.status === 'found' ? read.raw : null);

export function secretContent(state: AccountState, name: string): unknown {
  const read = state.secrets.find((s) => s.name === name)?.read;
  return read === undefined ? null : raw(read);
}

export function unwrap<T>(result: Result<T, PlanError>): T {
  if (!result.ok) throw new PlanRefusedError(result.error.code, result.error.message);
  return result.value;
}

export function published(state: AccountState, userId: string): {
  master?: wire.CrossSigningKey; selfSigning?: wire.CrossSigningKey; userSigning?: wire.CrossSigningKey;
  devices: Record<string, wire.DeviceKeys>;
} {
  const r = state.keysQuery.result.response;
  const out: ReturnType<typeof published> = { devices: r.device_keys?.[userId] ?? {} };
  const m = r.master_keys?.[userId];
  const s = r.self_signing_keys?.[userId];
  const u = r.user_signing_keys?.[userId];
  if (m !== undefined) out.master = m;
  if (s !== undefined) out.selfSigning = s;
  if (u !== undefined) out.userSigning = u;
  return out;
}

export async function seedFromStorage(ctx: PlanContext, name: string, secrets: Uint8Array[]): Promise<Uint8Array> {
  const seed = unwrap(await readSeed(secretContent(ctx.state, name), name, ctx.ssss!));
  secrets.push(seed);
  return seed;
}

/** The backup private key from secret storage, if it is there and readable. */
export async function backupKeyFromStorage(ctx: PlanContext, secrets: Uint8Array[]): Promise<Uint8Array | undefined> {
  if (ctx.ssss === undefined) return undefined;
  const text = await readSecret(secretContent(ctx.state, 'm.megolm_backup.v1'), 'm.megolm_backup.v1', ctx.ssss);
  if (!text.ok) return undefined;
  try {
    const key = decodeBase64(text.value.trim());
    secrets.push(key);
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The secrets new keys will overwrite, sorted by what they hold (plan-new-keys.ts keeps each
 * aside first): `previous` holds the key the server still publishes (or one we cannot read, so
 * cannot judge); `leftover` holds a key that is not published — typically the new keys of a reset
 * that stopped before its upload. Sorting them keeps a retried reset from overwriting the copy
 * of the published key with those leftovers.
 */
async function replacedSecrets(ctx: PlanContext, roles: readonly KeyRole[], remarks: string[]): Promise<{ previousSecrets: Record<string, unknown>; leftoverSecrets: Record<string, unknown> }> {
  const previousSecrets: Record<string, unknown> = {};
  const leftoverSecrets: Record<string, unknown> = {};
  const pub = published(ctx.state, ctx.userId);
  for (const role of roles) {
    const name = ROLE[role].secretName;
    const content = secretContent(ctx.state, name);
    if (content === null) continue;
    const seed = ctx.ssss === undefined ? undefined : await readSeed(content, name, ctx.ssss);
    if (seed === undefined || !seed.ok) {
      previousSecrets[name] = content;
      continue;
    }
    const key = pub[role];
    const isPublished = key !== undefined && (await seedMatches(seed.value, publicKeyOf(key) ?? '', ctx.ed));
    seed.value.fill(0);
    if (isPublished) previousSecrets[name] = content;
    else {
      leftoverSecrets[name] = content;
      remarks.push(say('core_plan_leftover_kept_aside', name));
    }
  }
  return { previousSecrets, leftoverSecrets };
}

/**
 * The secret-storage key new private keys may be stored under: `ctx.ssss` unless storeRefusal
 * objects to it. Then the export file is the only safeguard left: without one the repair is
 * refused with the reason in words; with one the keys go only there, and a remark says why.
 */
function keyForNewKeys(ctx: PlanContext, exportKeys: boolean, remarks: string[]): CheckedSecretStorageKey | undefined {
  if (ctx.ssss === undefined) return undefined;
  const refusal = storeRefusal(ctx.ssss);
  if (refusal === undefined) return ctx.ssss;
  if (!exportKeys) {
    throw new PlanRefusedError('unsafe-secret-storage-key',
      say('core_plan_unsafe_key_needs_export', refusal));
  }
  remarks.push(say('core_plan_export_only_copy', refusal));
  return undefined;
}

/**
 * The sessions a new self-signing key signs in the same plan: `deviceIds` (each must have keys
 * and be signable: vouching for a device's keys is what signing says), plus this session.
 * @throws {PlanRefusedError} For an unknown or unsignable device.
 */
function chosenDevices(ctx: PlanContext, deviceIds: readonly string[] | undefined, fallback: (d: Report['devices'][number]) => boolean): wire.DeviceKeys[] {
  const pub = published(ctx.state, ctx.userId);
  const ids = deviceIds === undefined
    ? ctx.report.devices.filter((d) => (fallback(d) || d.deviceId === ctx.deviceId) && d.signable).map((d) => d.deviceId)
    : [...new Set([...ctx.report.devices.filter((d) => d.deviceId === ctx.deviceId && d.signable).map((d) => d.deviceId), ...deviceIds])];
  const unknown = ids.filter((id) => !Object.prototype.hasOwnProperty.call(pub.devices, id));
  if (unknown.length > 0) throw new PlanRefusedError('bad-input', say('core_plan_no_such_device', unknown.join(', ')));
  const unsignable = ids.filter((id) => ctx.report.devices.find((d) => d.deviceId === id)?.signable !== true);
  if (unsignable.length > 0) {
    throw new PlanRefusedError('bad-input', say('core_plan_cannot_cross_sign', unsignable.join(', ')));
  }
  return ids.map((id) => pub.devices[id]!);
}

/**
 * reset: new master, self-signing and user-signing keys; this device (and `deviceIds`) cross-signed;
 * backup re-signed when its key is known, or when a session this plan signs had signed it.
 * `exportKeys`: the new keys also go to an export file (BuiltPlan.exportText), which the user confirms saving before the run.
 */
export async function buildReset(ctx: PlanContext, opts: { exportKeys?: boolean; keepVerified?: readonly UserToSign[]; deviceIds?: readonly string[] }): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const secrets: Uint8Array[] = [];
  const remarks: string[] = [];
  const pub = published(state, userId);
  const thisDevice = ctx.deviceId === undefined ? undefined : pub.devices[ctx.deviceId];
  // This session always; the others only when chosen (each must be signable).
  const devices = opts.deviceIds === undefined || opts.deviceIds.length === 0
    ? (thisDevice === undefined ? [] : [thisDevice])
    : [...(thisDevice === undefined ? [] : [thisDevice]), ...chosenDevices(ctx, opts.deviceIds.filter((id) => id !== ctx.deviceId), () => false)
      .filter((d) => d.device_id !== ctx.deviceId)];
  const keys = await generateCrossSigningKeys(userId, ed);
  secrets.push(keys.master.seed, keys.selfSigning.seed, keys.userSigning.seed);
  if (thisDevice === undefined) remarks.push(say('core_plan_reset_no_device_keys'));
  const signed = new Set(devices.map((d) => d.device_id));
  const others = Object.keys(pub.devices).filter((id) => id !== ctx.deviceId && !signed.has(id));
  if (others.length > 0) {
    remarks.push(say('core_plan_reset_other_sessions', others.join(', ')));
  }
  let backup: { version: unknown; trust: BackupTrust; deviceIds: readonly string[] } | undefined;
  const backupRaw = raw(state.backup.read);
  if (backupRaw !== null) {
    const key = await backupKeyFromStorage(ctx, secrets);
    // Without the key: a valid signature by a session this very plan cross-signs vouches for it, as
    // resign-backup accepts one by a session cross-signed already.
    const signer = key !== undefined ? undefined : (ctx.report.backup?.signatures ?? []).find((sig) => sig.signer === 'device' && sig.result === 'valid'
      && sig.deviceId !== undefined && signed.has(sig.deviceId) && ctx.report.devices.find((d) => d.deviceId === sig.deviceId)?.ed25519 != null);
    const signerKey = signer === undefined ? undefined : ctx.report.devices.find((d) => d.deviceId === signer.deviceId)?.ed25519 ?? undefined;
    if (key !== undefined) backup = { version: backupRaw, trust: { kind: 'backup-key', privateKey: key }, deviceIds: Object.keys(pub.devices) };
    else if (signer !== undefined && signerKey !== undefined) {
      backup = { version: backupRaw, trust: { kind: 'signature', keyId: signer.keyId, publicKey: signerKey }, deviceIds: Object.keys(pub.devices) };
    } else remarks.push(say('core_plan_reset_backup_key_missing'));
  }
  const storeUnder = keyForNewKeys(ctx, opts.exportKeys === true, remarks);
  const input = {
    keys, ed, devices,
    ...(storeUnder === undefined ? {} : { secretStorage: storeUnder, ...(await replacedSecrets(ctx, ROLES, remarks)) }),
    ...(opts.exportKeys === true ? { exportConfirmed: true } : {}),
    ...(opts.keepVerified === undefined ? {} : { keepVerified: opts.keepVerified }),
  };
  let planned = await planResetCrossSigning(backup === undefined ? input : { ...input, backup });
  if (!planned.ok && planned.error.code === 'untrusted-backup') {
    remarks.push(say('core_plan_reset_backup_not_resigned', planned.error.message));
    planned = await planResetCrossSigning(input);
  }
  const plan = unwrap(planned);
  const built: BuiltPlan = { plan, secrets, remarks };
  if (opts.exportKeys === true) built.exportText = exportKeysFile(keys);
  return built;
}

/** sign-devices: the chosen (default: every not validly cross-signed) device, with the self-signing key from secret storage. */
/** `selfSigningKey`: the key the seed in secret storage will be published as (a fix that uploads it first), instead of the published one. */
export async function buildSignDevices(ctx: PlanContext, opts: { deviceIds?: readonly string[]; selfSigningKey?: unknown }): Promise<BuiltPlan> {
  const { state, userId, ed, report } = ctx;
  const secrets: Uint8Array[] = [];
  const pub = published(state, userId);
  let ids = opts.deviceIds;
  if (ids === undefined) {
    ids = report.devices
      .filter((d) => d.crossSigned !== 'valid' && d.signable)
      .map((d) => d.deviceId);
  } else {
    const unknown = ids.filter((id) => !Object.prototype.hasOwnProperty.call(pub.devices, id));
    if (unknown.length > 0) throw new PlanRefusedError('bad-input', say('core_plan_no_such_device', unknown.join(', ')));
    // Picked by hand: still only what the report calls signable (its own signature valid, keys
    // well formed, its ID no cross-signing key) — vouching for a device's keys is what signing says.
    const unsignable = ids.filter((id) => report.devices.find((d) => d.deviceId === id)?.signable !== true);
    if (unsignable.length > 0) {
      throw new PlanRefusedError('bad-input', say('core_plan_cannot_cross_sign', unsignable.join(', ')));
    }
  }
  if (ids.length === 0) throw new PlanRefusedError('nothing-to-do', say('core_plan_all_sessions_signed'));
  const seed = await seedFromStorage(ctx, ROLE.selfSigning.secretName, secrets);
  const plan = unwrap(await planCrossSignDevices({
    userId, selfSigningSeed: seed, publishedSelfSigningKey: opts.selfSigningKey ?? pub.selfSigning, devices: ids.map((id) => pub.devices[id]!), ed,
  }));
  return { plan, secrets, remarks: [] };
}

/** store-secrets from an export file: the seeds it holds, each checked against the published key. */
export async function buildStoreFromExport(ctx: PlanContext, fileText: string): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const imported = await parseKeysExportFile(fileText, ed);
  if (!imported.ok) throw new PlanRefusedError('bad-input', say('core_plan_export_file_bad', imported.error));
  const secrets = Object.values(imported.value.seeds);
  if (imported.value.userId !== userId) throw new PlanRefusedError('bad-input', say('core_plan_export_file_other_user', imported.value.userId, userId));
  const pub = published(state, userId);
  const existing: Partial<Record<KeyRole, unknown>> = {
    master: secretContent(state, ROLE.master.secretName),
    selfSigning: secretContent(state, ROLE.selfSigning.secretName),
    userSigning: secretContent(state, ROLE.userSigning.secretName),
  };
  const plan = unwrap(await planStoreCrossSigningSecrets({
    userId, seeds: imported.value.seeds, published: { master: pub.master, selfSigning: pub.selfSigning, userSigning: pub.userSigning },
    existing, secretStorage: ctx.ssss!, ed,
  }));
  return { plan, secrets, remarks: [] };
}

/** store-secrets from another secret-storage key: add an encryption under the default key. */
export function buildReencrypt(ctx: PlanContext, source: CheckedSecretStorageKey): Promise<BuiltPlan> {
  const secrets = ctx.state.secrets
    .filter((s) => s.value !== null && Object.prototype.hasOwnProperty.call(s.value.encrypted, source.keyId))
    .map((s) => ({ name: s.name, content: raw(s.read) }));
  if (secrets.length === 0) throw new PlanRefusedError('nothing-to-do', say('core_plan_nothing_under_key', source.keyId));
  return planReencryptSecrets({ userId: ctx.userId, secrets, source, target: ctx.ssss! })
    .then((r) => ({ plan: unwrap(r), secrets: [], remarks: [] }));
}

/** resign-backup: sign the backup with the master from secret storage. */
export async function buildResignBackup(ctx: PlanContext): Promise<BuiltPlan> {
  const { state, userId, ed, report } = ctx;
  const backupRaw = raw(state.backup.read);
  if (backupRaw === null) throw new PlanRefusedError('nothing-to-do', say('core_plan_no_key_backup'));
  const secrets: Uint8Array[] = [];
  const pub = published(state, userId);
  const masterSeed = await seedFromStorage(ctx, ROLE.master.secretName, secrets);
  let trust: BackupTrust | undefined;
  const backupKey = await backupKeyFromStorage(ctx, secrets);
  if (backupKey !== undefined) trust = { kind: 'backup-key', privateKey: backupKey };
  else {
    // A valid signature by a session that is validly cross-signed under this master (chain checked by the report).
    for (const sig of report.backup?.signatures ?? []) {
      const device = report.devices.find((d) => d.deviceId === sig.deviceId);
      if (sig.signer === 'device' && sig.result === 'valid' && device?.crossSigned === 'valid' && device.ed25519 !== null) {
        trust = { kind: 'signature', keyId: sig.keyId, publicKey: device.ed25519 };
        break;
      }
    }
  }
  if (trust === undefined) {
    throw new PlanRefusedError('untrusted-backup',
      say('core_plan_backup_untrusted'));
  }
  const plan = unwrap(await planResignBackup({
    userId, masterSeed, publishedMaster: pub.master, backup: backupRaw, deviceIds: Object.keys(pub.devices), trust, ed,
  }));
  return { plan, secrets, remarks: [] };
}

/** upload: publish the public keys of the seeds in secret storage. */
export async function buildUpload(ctx: PlanContext): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const secrets: Uint8Array[] = [];
  const master = await seedFromStorage(ctx, ROLE.master.secretName, secrets);
  const seeds: { master: Uint8Array; selfSigning?: Uint8Array; userSigning?: Uint8Array } = { master };
  for (const [role, name] of [['selfSigning', ROLE.selfSigning.secretName], ['userSigning', ROLE.userSigning.secretName]] as const) {
    const seed = await readSeed(secretContent(state, name), name, ctx.ssss!);
    if (seed.ok) { seeds[role] = seed.value; secrets.push(seed.value); }
  }
  const pub = published(state, userId);
  const plan = unwrap(await planUploadKeysFromSeeds({ userId, seeds, ...(pub.master === undefined ? {} : { publishedMaster: pub.master }), ed }));
  const current: Partial<Record<KeyRole, string | undefined>> = {
    master: publicKeyOf(pub.master), selfSigning: publicKeyOf(pub.selfSigning), userSigning: publicKeyOf(pub.userSigning),
  };
  if (Object.entries(plan.publicKeys).every(([role, key]) => current[role as KeyRole] === key)) {
    throw new PlanRefusedError('nothing-to-do', say('core_plan_upload_already_published'));
  }
  const remarks = seeds.selfSigning === undefined || seeds.userSigning === undefined
    ? [say('core_plan_upload_only_stored')] : [];
  return { plan, secrets, remarks };
}

const rawOf = (read: { status: string; raw?: unknown } | undefined): unknown => (read?.status === 'found' ? read.raw : null);

/**
 * Check a typed recovery key or passphrase against the description of `keyId`. `derived` is the
 * key already derived from that input for that key ID (the inspection's), so a passphrase is not
 * run through PBKDF2 a second time; it is wiped like a key derived here when the check fails.
 */
export async function checkKeyInput(
  state: AccountState, keyId: string, input: SecretStorageKeyInput, derivedKey?: Uint8Array, decryptions?: SecretDecryptions,
): Promise<{ ok: true; key: CheckedSecretStorageKey } | { ok: false; message: string }> {
  const description = state.keyDescriptions.find((d) => d.keyId === keyId);
  const derived = derivedKey !== undefined ? { ok: true as const, value: derivedKey } : await deriveSecretStorageKey(input, description?.value ?? null);
  if (!derived.ok) return { ok: false, message: derived.error.message };
  const checked = await prepareSecretStorageKey({
    keyId, key: derived.value, description: rawOf(description?.read), defaultKey: rawOf(state.defaultKey.read),
    // Without a key check, only a secret that decrypts proves the key (KeyProof).
    secrets: state.secrets.map((s) => ({ name: s.name, content: rawOf(s.read) })),
    ...(decryptions === undefined ? {} : { decryptions }),
  });
  if (!checked.ok) {
    derived.value.fill(0);
    return { ok: false, message: say('core_plan_ssss_key_problem', keyId, checked.error.message) };
  }
  return { ok: true, key: checked.value };
}

/**
 * The other (non-target) secret-storage key that `input` opens: the source of store-secrets'
 * re-encryption. `label` names the input in the message (the CLI's flag, the popup's field).
 */
export async function findSourceKey(state: AccountState, target: CheckedSecretStorageKey, input: SecretStorageKeyInput, label = say('core_plan_from_key_label')): Promise<{ ok: true; key: CheckedSecretStorageKey } | { ok: false; message: string }> {
  const candidates = state.keyDescriptions.filter((d) => d.keyId !== target.keyId && d.value !== null);
  const reasons: string[] = [];
  for (const d of candidates) {
    const checked = await checkKeyInput(state, d.keyId, input);
    // A key nothing proves (no key check, no secret decrypts) cannot be the source either.
    if (checked.ok && checked.key.proof.kind !== 'unproven') return checked;
    if (checked.ok) {
      reasons.push(say('core_plan_ssss_key_problem', d.keyId, checked.key.proof.kind === 'unproven' ? checked.key.proof.reason : ''));
      checked.key.key.fill(0);
    } else reasons.push(checked.message);
  }
  if (candidates.length === 0) return { ok: false, message: say('core_plan_no_other_ssss_key') };
  return { ok: false, message: say('core_plan_source_key_matches_none', label, reasons.join('; ')) };
}

/**
 * regenerate: new self-signing and/or user-signing keys signed by the master from secret storage
 * (the master stays, so other people's trust in it stays). With a new self-signing key, the
 * sessions that were validly cross-signed, and this one, are signed again with it.
 */
export async function buildRegenerate(ctx: PlanContext, opts: { selfSigning: boolean; userSigning: boolean; exportKeys?: boolean; keepVerified?: readonly UserToSign[]; deviceIds?: readonly string[] }): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  if (!opts.selfSigning && !opts.userSigning) throw new PlanRefusedError('bad-input', say('core_plan_regen_choose'));
  const pub = published(state, userId);
  if (pub.master === undefined) throw new PlanRefusedError('bad-input', say('core_plan_regen_no_master'));
  const secrets: Uint8Array[] = [];
  const remarks: string[] = [];
  const storeUnder = keyForNewKeys(ctx, opts.exportKeys === true, remarks);
  const masterSeed = await seedFromStorage(ctx, ROLE.master.secretName, secrets);
  const subkeys = await buildSubkeysForExistingMaster(userId, masterSeed, { selfSigning: opts.selfSigning, userSigning: opts.userSigning }, ed);
  for (const pair of [subkeys.selfSigning, subkeys.userSigning]) if (pair !== undefined) secrets.push(pair.seed);
  const roles = (['selfSigning', 'userSigning'] as const).filter((r) => subkeys[r] !== undefined);
  const devices = opts.selfSigning ? chosenDevices(ctx, opts.deviceIds, (d) => d.crossSigned === 'valid') : [];
  const planned = await planRegenerateSubkeys({
    subkeys, publishedMaster: pub.master, devices, ed,
    ...(opts.keepVerified === undefined ? {} : { keepVerified: opts.keepVerified }),
    ...(storeUnder === undefined ? {} : { secretStorage: storeUnder, ...(await replacedSecrets(ctx, roles, remarks)) }),
    ...(opts.exportKeys === true ? { exportConfirmed: true } : {}),
  });
  const built: BuiltPlan = { plan: unwrap(planned), secrets, remarks };
  if (opts.exportKeys === true) built.exportText = exportKeysFile(subkeys);
  return built;
}

/** What the user typed or loaded for a manual upload: per key, CrossSigningKey JSON or a base64 seed. */
export type ManualKeyTexts = Partial<Record<KeyRole, string>>;

/**
 * upload by hand (the SDK's `uploadCrossSigningKeys(auth, masterKey, selfSigningKey, userSigningKey)`):
 * each text is a CrossSigningKey object or a private seed. A seed without its key object is turned
 * into the key (a subkey is signed by the master seed given alongside, else the one in secret
 * storage). Everything is validated (shape, signatures by the accompanying or published master,
 * seeds matching their keys) before a plan exists; seeds are stored in secret storage when its key
 * was given, with what they replace kept aside.
 */
export async function buildManualUpload(ctx: PlanContext, texts: ManualKeyTexts): Promise<BuiltPlan> {
  const { userId, ed, state } = ctx;
  const secrets: Uint8Array[] = [];
  const keys: Partial<Record<KeyRole, unknown>> = {};
  const seeds: Partial<Record<KeyRole, Uint8Array>> = {};
  const problems: string[] = [];
  for (const role of ROLES) {
    const text = texts[role]?.trim();
    if (text === undefined || text === '') continue;
    if (text.startsWith('{')) {
      // Our message, never JSON.parse's: it would quote the text, which may hold a seed.
      const parsed = parseJsonText(text);
      if (parsed.ok) keys[role] = parsed.value;
      else problems.push(say('core_plan_manual_key_text_bad', ROLE[role].name, parsed.error));
      continue;
    }
    const bytes = tryDecodeBase64(text.replace(/\s+/g, ''));
    if (!bytes.ok || bytes.value.length !== 32) {
      problems.push(say('core_plan_manual_key_text_neither', ROLE[role].name));
      continue;
    }
    seeds[role] = bytes.value;
    secrets.push(bytes.value);
  }
  if (problems.length > 0) throw new PlanRefusedError('bad-input', problems.join('; '));
  if (Object.keys(keys).length === 0 && Object.keys(seeds).length === 0) throw new PlanRefusedError('bad-input', say('core_eng_manual_no_key'));
  const pub = published(state, userId);
  // Seeds without key objects: derive the keys. Subkeys need a master seed to be signed with.
  let signer = seeds.master;
  if (signer === undefined && (seeds.selfSigning !== undefined && keys.selfSigning === undefined || seeds.userSigning !== undefined && keys.userSigning === undefined)) {
    if (ctx.ssss === undefined) throw new PlanRefusedError('bad-input', say('core_plan_manual_subkey_needs_master'));
    signer = await seedFromStorage(ctx, ROLE.master.secretName, secrets);
  }
  for (const role of ROLES) {
    const seed = seeds[role];
    if (seed === undefined || keys[role] !== undefined) continue;
    keys[role] = (await crossSigningKeyFromSeed(userId, role, seed, ed, role === 'master' ? undefined : signer)).key;
  }
  const input = {
    ...keys,
    seeds: Object.fromEntries(Object.entries(seeds).map(([role, seed]) => [role, encodeBase64(seed)])),
  };
  const masterPublicKey = publicKeyOf(pub.master);
  const validated = await validateManualUpload(input, { userId, ...(masterPublicKey === undefined ? {} : { masterPublicKey }) }, ed);
  if (!validated.ok) throw new PlanRefusedError('bad-input', validated.error.map((p) => p.message).join('; '));
  secrets.push(...Object.values(validated.value.seeds));
  const remarks: string[] = [];
  const seeded = ROLES.filter((r) => validated.value.seeds[r] !== undefined);
  // The user holds these seeds already, so an unsafe key only means they are not stored (said below).
  const refusal = ctx.ssss === undefined ? undefined : storeRefusal(ctx.ssss);
  const store = ctx.ssss !== undefined && refusal === undefined && seeded.length > 0;
  const plan = unwrap(await planManualUpload(validated.value, store ? { secretStorage: ctx.ssss!, ...(await replacedSecrets(ctx, seeded, remarks)) } : {}));
  if (seeded.length > 0 && !store) remarks.push(say('core_plan_manual_seeds_not_stored', refusal ?? say('core_plan_manual_no_recovery_key')));
  return { plan, secrets, remarks };
}

/**
 * verify-user / reverify-users: sign these people's master keys (as /keys/query returned them)
 * with my user-signing key from secret storage. Whom to sign was decided by the caller
 * (src/core/app/prepare-users.ts); the key is checked here: published, signed by my master, and
 * the one in secret storage — otherwise Synapse would reject every signature, or accept ones no
 * client trusts.
 */
export async function buildSignUsers(ctx: PlanContext, kind: 'verify-user' | 'reverify-users', users: readonly UserToSign[]): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const secrets: Uint8Array[] = [];
  const pub = published(state, userId);
  const seed = await seedFromStorage(ctx, ROLE.userSigning.secretName, secrets);
  const plan = unwrap(await planSignUsers({ kind, userId, userSigningSeed: seed, publishedUserSigningKey: pub.userSigning, users, ed }));
  return { plan, secrets, remarks: [] };
}
