/**
 * Building the plan of each repair from the inspected account: which private keys come from
 * secret storage or an export file, which devices are signed, what vouches for the backup.
 * Everything private (seeds, backup key) is collected in `secrets` for the caller to wipe.
 * Shared by the CLI (src/cli/repair.ts) and the extension's background (src/background/repair-flow.ts).
 */
import {
  decodeBase64, deriveSecretStorageKey, exportKeysFile, prepareSecretStorageKey, generateCrossSigningKeys, parseKeysExportFile, planCrossSignDevices, planReencryptSecrets,
  planResetCrossSigning, planResignBackup, planStoreCrossSigningSecrets, planUploadKeysFromSeeds, readSecret, readSeed,
  type AccountState, type BackupTrust, type CheckedSecretStorageKey, type Ed25519, type KeyRole, type PlanError,
  type RepairPlan, type Report, type Result, type SecretStorageKeyInput, type wire,
} from '../index.ts';

export type RepairCommand = 'reset' | 'sign-devices' | 'store-secrets' | 'resign-backup' | 'upload';
export const REPAIR_COMMANDS: readonly RepairCommand[] = ['reset', 'sign-devices', 'store-secrets', 'resign-backup', 'upload'];

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

const raw = (read: { status: string; raw?: unknown }): unknown => (read.status === 'found' ? read.raw : null);

export function secretContent(state: AccountState, name: string): unknown {
  const read = state.secrets.find((s) => s.name === name)?.read;
  return read === undefined ? null : raw(read);
}

function unwrap<T>(result: Result<T, PlanError>): T {
  if (!result.ok) throw new PlanRefusedError(result.error.code, result.error.message);
  return result.value;
}

function published(state: AccountState, userId: string): {
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

async function seedFromStorage(ctx: PlanContext, name: string, secrets: Uint8Array[]): Promise<Uint8Array> {
  const seed = unwrap(await readSeed(secretContent(ctx.state, name), name, ctx.ssss!));
  secrets.push(seed);
  return seed;
}

/** The backup private key from secret storage, if it is there and readable. */
async function backupKeyFromStorage(ctx: PlanContext, secrets: Uint8Array[]): Promise<Uint8Array | undefined> {
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

/** reset: new master, self-signing and user-signing keys; this device cross-signed; backup re-signed when its key is known. */
export async function buildReset(ctx: PlanContext, opts: { exportPath?: string }): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const secrets: Uint8Array[] = [];
  const remarks: string[] = [];
  const keys = await generateCrossSigningKeys(userId, ed);
  secrets.push(keys.master.seed, keys.selfSigning.seed, keys.userSigning.seed);
  const pub = published(state, userId);
  const thisDevice = ctx.deviceId === undefined ? undefined : pub.devices[ctx.deviceId];
  if (thisDevice === undefined) remarks.push('This session has no device keys on the server: no session is cross-signed by this reset.');
  const others = Object.keys(pub.devices).filter((id) => id !== ctx.deviceId);
  if (others.length > 0) {
    remarks.push(`Your other sessions (${others.join(', ')}) are not signed by the new key: verify them, or run sign-devices for the ones you recognise.`);
  }
  let backup: { version: unknown; trust: BackupTrust; deviceIds: readonly string[] } | undefined;
  const backupRaw = raw(state.backup.read);
  if (backupRaw !== null) {
    const key = await backupKeyFromStorage(ctx, secrets);
    if (key !== undefined) backup = { version: backupRaw, trust: { kind: 'backup-key', privateKey: key }, deviceIds: Object.keys(pub.devices) };
    else remarks.push('The key backup is not re-signed (its key is not in secret storage under the given key): run resign-backup afterwards.');
  }
  // The secrets the reset overwrites are kept aside first (plan-new-keys.ts).
  const previousSecrets = Object.fromEntries(
    ctx.state.secrets.flatMap((s) => (s.read.status === 'found' ? [[s.name, s.read.raw] as const] : [])),
  );
  const input = {
    keys, ed, devices: thisDevice === undefined ? [] : [thisDevice],
    ...(ctx.ssss === undefined ? {} : { secretStorage: ctx.ssss, previousSecrets }),
    ...(opts.exportPath === undefined ? {} : { exportConfirmed: true }),
  };
  let planned = await planResetCrossSigning(backup === undefined ? input : { ...input, backup });
  if (!planned.ok && planned.error.code === 'untrusted-backup') {
    remarks.push(`The key backup is not re-signed (${planned.error.message}): run resign-backup afterwards.`);
    planned = await planResetCrossSigning(input);
  }
  const plan = unwrap(planned);
  const built: BuiltPlan = { plan, secrets, remarks };
  if (opts.exportPath !== undefined) built.exportText = exportKeysFile(keys);
  return built;
}

/** sign-devices: the chosen (default: every not validly cross-signed) device, with the self-signing key from secret storage. */
export async function buildSignDevices(ctx: PlanContext, opts: { deviceIds?: string[] }): Promise<BuiltPlan> {
  const { state, userId, ed, report } = ctx;
  const secrets: Uint8Array[] = [];
  const pub = published(state, userId);
  let ids = opts.deviceIds;
  if (ids === undefined) {
    ids = report.devices
      .filter((d) => d.crossSigned !== 'valid' && d.selfSignature === 'valid' && !d.collidesWithKey && d.shapeProblems.length === 0)
      .map((d) => d.deviceId);
  } else {
    const unknown = ids.filter((id) => !Object.prototype.hasOwnProperty.call(pub.devices, id));
    if (unknown.length > 0) throw new PlanRefusedError('bad-input', `no such device with keys: ${unknown.join(', ')}`);
  }
  if (ids.length === 0) throw new PlanRefusedError('nothing-to-do', 'every session is already cross-signed');
  const seed = await seedFromStorage(ctx, 'm.cross_signing.self_signing', secrets);
  const plan = unwrap(await planCrossSignDevices({
    userId, selfSigningSeed: seed, publishedSelfSigningKey: pub.selfSigning, devices: ids.map((id) => pub.devices[id]!), ed,
  }));
  return { plan, secrets, remarks: [] };
}

/** store-secrets from an export file: the seeds it holds, each checked against the published key. */
export async function buildStoreFromExport(ctx: PlanContext, fileText: string): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const imported = await parseKeysExportFile(fileText, ed);
  if (!imported.ok) throw new PlanRefusedError('bad-input', `the export file: ${imported.error}`);
  const secrets = Object.values(imported.value.seeds);
  if (imported.value.userId !== userId) throw new PlanRefusedError('bad-input', `the export file is for ${imported.value.userId}, not ${userId}`);
  const pub = published(state, userId);
  const existing: Partial<Record<KeyRole, unknown>> = {
    master: secretContent(state, 'm.cross_signing.master'),
    selfSigning: secretContent(state, 'm.cross_signing.self_signing'),
    userSigning: secretContent(state, 'm.cross_signing.user_signing'),
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
  if (secrets.length === 0) throw new PlanRefusedError('nothing-to-do', `no secret is stored under key ${source.keyId}`);
  return planReencryptSecrets({ userId: ctx.userId, secrets, source, target: ctx.ssss! })
    .then((r) => ({ plan: unwrap(r), secrets: [], remarks: [] }));
}

/** resign-backup: sign the backup with the master from secret storage. */
export async function buildResignBackup(ctx: PlanContext): Promise<BuiltPlan> {
  const { state, userId, ed, report } = ctx;
  const backupRaw = raw(state.backup.read);
  if (backupRaw === null) throw new PlanRefusedError('nothing-to-do', 'there is no key backup');
  const secrets: Uint8Array[] = [];
  const pub = published(state, userId);
  const masterSeed = await seedFromStorage(ctx, 'm.cross_signing.master', secrets);
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
      'nothing shows the backup is yours: its key is not in secret storage and no cross-signed session signed it');
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
  const master = await seedFromStorage(ctx, 'm.cross_signing.master', secrets);
  const seeds: { master: Uint8Array; selfSigning?: Uint8Array; userSigning?: Uint8Array } = { master };
  for (const [role, name] of [['selfSigning', 'm.cross_signing.self_signing'], ['userSigning', 'm.cross_signing.user_signing']] as const) {
    const seed = await readSeed(secretContent(state, name), name, ctx.ssss!);
    if (seed.ok) { seeds[role] = seed.value; secrets.push(seed.value); }
  }
  const pub = published(state, userId);
  const plan = unwrap(await planUploadKeysFromSeeds({ userId, seeds, ...(pub.master === undefined ? {} : { publishedMaster: pub.master }), ed }));
  const publishedKey = (k: wire.CrossSigningKey | undefined): string | undefined => (k === undefined ? undefined : Object.values(k.keys)[0]);
  const current: Partial<Record<KeyRole, string | undefined>> = {
    master: publishedKey(pub.master), selfSigning: publishedKey(pub.selfSigning), userSigning: publishedKey(pub.userSigning),
  };
  if (Object.entries(plan.publicKeys).every(([role, key]) => current[role as KeyRole] === key)) {
    throw new PlanRefusedError('nothing-to-do', 'the keys in secret storage are the ones already published');
  }
  const remarks = seeds.selfSigning === undefined || seeds.userSigning === undefined
    ? ['Only the keys whose private halves are in secret storage are uploaded.'] : [];
  return { plan, secrets, remarks };
}

const rawOf = (read: { status: string; raw?: unknown } | undefined): unknown => (read?.status === 'found' ? read.raw : null);

/** Check a typed recovery key or passphrase against the description of `keyId`. */
export async function checkKeyInput(state: AccountState, keyId: string, input: SecretStorageKeyInput): Promise<{ ok: true; key: CheckedSecretStorageKey } | { ok: false; message: string }> {
  const description = state.keyDescriptions.find((d) => d.keyId === keyId);
  const derived = await deriveSecretStorageKey(input, description?.value ?? null);
  if (!derived.ok) return { ok: false, message: derived.error.message };
  const checked = await prepareSecretStorageKey({ keyId, key: derived.value, description: rawOf(description?.read), defaultKey: rawOf(state.defaultKey.read) });
  if (!checked.ok) {
    derived.value.fill(0);
    return { ok: false, message: `secret-storage key ${keyId}: ${checked.error.message}` };
  }
  return { ok: true, key: checked.value };
}

/**
 * The other (non-target) secret-storage key that `input` opens: the source of store-secrets'
 * re-encryption. `label` names the input in the message (the CLI's flag, the popup's field).
 */
export async function findSourceKey(state: AccountState, target: CheckedSecretStorageKey, input: SecretStorageKeyInput, label = 'the --from key'): Promise<{ ok: true; key: CheckedSecretStorageKey } | { ok: false; message: string }> {
  const candidates = state.keyDescriptions.filter((d) => d.keyId !== target.keyId && d.value !== null);
  const reasons: string[] = [];
  for (const d of candidates) {
    const checked = await checkKeyInput(state, d.keyId, input);
    if (checked.ok) return checked;
    reasons.push(checked.message);
  }
  if (candidates.length === 0) return { ok: false, message: 'no other secret-storage key is in use on this account' };
  return { ok: false, message: `${label} matches none of the other secret-storage keys (${reasons.join('; ')})` };
}
