/**
 * One fix for the whole diagnosis (docs/design.md#composed-fix): from a report's causes (src/core/inspect/causes.ts), the
 * repairs that fix them, in REPAIR_RANK order, with the ones a stronger repair already does
 * absorbed into it (a reset signs the chosen sessions and re-signs the backup itself). The parts
 * are built on the same inspection and joined into ONE plan (composePlans): one preview, at most
 * one UIA step (only reset, regenerate and upload ask for it, and a fix holds at most one of them),
 * and the flow's resume works as for any plan.
 *
 * Each part is built on the state the parts before it leave (projectState) and with the
 * secret-storage key they make or point at: a new secret storage (create-secret-storage) or a
 * default key set first (set-default-key) is what the later parts store under and read from, and
 * a new backup after a reset is signed by the new master. sign-out-device is never a part: it ends
 * sessions, so the person chooses it on its own (docs/design.md#composed-fix).
 *
 * `composeFix` is pure (which parts, in which order, what is left and why); `buildFix` builds them.
 * A new repair kind plugs in with a rank in REPAIR_RANK, the cause's repair in causes.ts, and —
 * only if it does another repair's work too — a row in ABSORBS below.
 */
import { groupCauses, rankOf, type Cause, type CauseId } from '../inspect/causes.ts';
import type { Report } from '../inspect/report-types.ts';
import { buildSignDevices, PlanRefusedError, type PlanContext } from '../repair/build-plans.ts';
import type { BuiltRecoveryPlan } from '../repair/plan-recovery-builders.ts';
import { composePlans } from '../repair/plans.ts';
import { projectState } from '../repair/project-state.ts';
import type { RepairKind } from '../repair/repair-kinds.ts';
import { fail, ok, type Result } from '../result.ts';
import { ROLE } from '../roles.ts';
import type { KeepVerified, RepairRefusal, RepairRequest } from './repair-request.ts';
import type { CoreMessageId } from '../words/core-messages.ts';
import { say, sayCount } from '../words/say.ts';

export type FixRequest = Extract<RepairRequest, { kind: 'fix' }>;

/** Kinds that publish new cross-signing keys: at most one per fix (each may ask for UIA). */
const NEW_KEYS: readonly RepairKind[] = ['reset-cross-signing', 'upload-keys', 'regenerate-subkeys'];

/**
 * What a repair does of other repairs' work in the same plan. A reset makes new keys for
 * everything: the subkeys, the secrets, and it signs the chosen sessions and the backup with them.
 * A new self-signing key signs the chosen sessions itself. (Planned here; the builders do it.)
 */
const ABSORBS: Readonly<Partial<Record<RepairKind, readonly RepairKind[]>>> = {
  'reset-cross-signing': ['store-secrets', 'upload-keys', 'regenerate-subkeys', 'sign-devices', 'resign-backup'],
  // Only with a new self-signing key: see composeFix.
  'regenerate-subkeys': ['sign-devices'],
  // A new default key is set by the plan that makes it.
  'create-secret-storage': ['set-default-key'],
  // A new backup version, signed by the master: re-signing the old one would be wasted.
  'reset-backup': ['resign-backup'],
};

/** Why a cause is left out, said three ways: alone, in the preview's remark and in the no-repair refusal's list (the last two with the cause's headline as $1). */
type LeftWords = readonly [reason: CoreMessageId, remark: CoreMessageId, listed: CoreMessageId];

const LEFT = {
  'no-repair': ['core_app_fix_left_no_repair', 'core_app_fix_not_fixed_no_repair', 'core_app_fix_listed_no_repair'],
  'store-secrets': ['core_app_fix_left_store_secrets', 'core_app_fix_not_fixed_store_secrets', 'core_app_fix_listed_store_secrets'],
  'no-session': ['core_app_fix_left_no_session', 'core_app_fix_not_fixed_no_session', 'core_app_fix_listed_no_session'],
} as const satisfies Record<string, LeftWords>;

/** The words of NOT_COMPOSED. */
const NOT_COMPOSED_WORDS: Readonly<Partial<Record<RepairKind, LeftWords>>> = {
  'sign-out-device': ['core_app_fix_left_sign_out', 'core_app_fix_not_fixed_sign_out', 'core_app_fix_listed_sign_out'],
  'manual-upload': ['core_app_fix_left_manual_upload', 'core_app_fix_not_fixed_manual_upload', 'core_app_fix_listed_manual_upload'],
  'verify-user': ['core_app_fix_left_verify_user', 'core_app_fix_not_fixed_verify_user', 'core_app_fix_listed_verify_user'],
};

/**
 * Repairs a fix never does, each with the reason in words (said per cause in the plan's preview
 * and the refusal). Every other kind without a rank in REPAIR_RANK is "not part of a fix".
 */
export const NOT_COMPOSED: Readonly<Partial<Record<RepairKind, string>>> = Object.fromEntries(
  Object.entries(NOT_COMPOSED_WORDS).map(([kind, words]) => [kind, say(words[0])]),
);

export interface FixPart {
  request: RepairRequest;
  /** The causes this part fixes (its own and the ones it absorbed). */
  fixes: CauseId[];
  /** Repairs it does in place of separate parts. */
  absorbed: RepairKind[];
}

export interface FixComposition {
  parts: FixPart[];
  /**
   * Causes no part fixes, each with the reason in words; `remark`: the preview's line for it,
   * `listed`: its item in the no-repair refusal; `needsKey`: the recovery key would let it.
   */
  left: Left[];
}

interface Left { cause: Cause; reason: string; remark: string; listed: string; needsKey?: true }

/** A cause left for one of the reasons said in full by a message of its own. */
const leftFor = (cause: Cause, words: LeftWords): Left =>
  ({ cause, reason: say(words[0]), remark: say(words[1], cause.headline), listed: say(words[2], cause.headline) });

/**
 * A cause left for a reason with data of its own (a repair's name, a part's title): one message
 * cannot hold the headline and that data in parentheses unambiguously ("$1 ($2 …)": where would
 * the headline end?), so in the remark and the list the headline and the said reason are data.
 */
const leftSaid = (cause: Cause, reason: string, needsKey?: true): Left => ({
  cause, reason, remark: say('core_app_fix_not_fixed', `${cause.headline} (${reason})`), listed: `${cause.headline}: ${reason}`,
  ...(needsKey === undefined ? {} : { needsKey }),
});

const signable = (report: Report): string[] => report.devices.filter((d) => d.signable).map((d) => d.deviceId);

/** Which subkeys the problems asking for regenerate-subkeys are about (both when they do not say). */
function subkeysOf(report: Report): { selfSigning: boolean; userSigning: boolean } {
  const subjects = report.problems.filter((p) => p.repair === 'regenerate-subkeys').map((p) => p.subject ?? '');
  // A subkey problem's subject is the key's usage; a secret's, its name, which ends with it.
  const selfSigning = subjects.some((s) => s.includes(ROLE.selfSigning.usage));
  const userSigning = subjects.some((s) => s.includes(ROLE.userSigning.usage));
  return selfSigning || userSigning ? { selfSigning, userSigning } : { selfSigning: true, userSigning: true };
}

const keep = (k: KeepVerified | undefined): { keepVerified?: KeepVerified } => (k === undefined ? {} : { keepVerified: k });

/**
 * The parts of the fix for `report`, in order. `hasKey`: the secret-storage key was given (every
 * part but an exported reset reads a private key from secret storage).
 * @throws Never.
 */
export function composeFix(report: Report, request: FixRequest, hasKey: boolean): FixComposition {
  const causes = groupCauses(report.problems);
  const left: FixComposition['left'] = [];
  const wanted = new Map<RepairKind, CauseId[]>();
  for (const cause of causes) {
    const rank = rankOf(cause.repair);
    if (cause.repair === undefined || rank === undefined) {
      const words = cause.repair === undefined ? LEFT['no-repair'] : NOT_COMPOSED_WORDS[cause.repair];
      left.push(words !== undefined ? leftFor(cause, words) : leftSaid(cause, say('core_app_fix_left_not_composed', cause.repair!)));
      continue;
    }
    wanted.set(cause.repair, [...(wanted.get(cause.repair) ?? []), cause.id]);
  }
  // store-secrets needs the other key (or an export file) the secrets are under: not part of a fix
  // unless a reset replaces those secrets anyway.
  const storeCauses = wanted.get('store-secrets');
  if (storeCauses !== undefined && !wanted.has('reset-cross-signing')) {
    wanted.delete('store-secrets');
    for (const id of storeCauses) left.push(leftFor(causes.find((c) => c.id === id)!, LEFT['store-secrets']));
  }
  const kinds = [...wanted.keys()].sort((a, b) => rankOf(a)! - rankOf(b)!);
  // One repair that publishes keys: the lowest-ranked (a reset covers a regeneration and an upload).
  const publisher = kinds.find((k) => NEW_KEYS.includes(k));
  const subkeys = subkeysOf(report);
  // Who does whose work: absorbers in rank order, an absorbed repair absorbing nothing itself.
  const absorbedBy = new Map<RepairKind, RepairKind>();
  for (const kind of kinds) {
    if (absorbedBy.has(kind)) continue;
    const absorbs = (ABSORBS[kind] ?? []).filter((k) => kind !== 'regenerate-subkeys' || subkeys.selfSigning || k !== 'sign-devices');
    for (const k of kinds) if (k !== kind && absorbs.includes(k) && !absorbedBy.has(k)) absorbedBy.set(k, kind);
  }
  const parts: FixPart[] = [];
  for (const kind of kinds) {
    if (absorbedBy.has(kind)) continue;
    const absorbed = kinds.filter((k) => absorbedBy.get(k) === kind);
    // A second key publisher that the first does not absorb would ask for UIA a second time.
    if (NEW_KEYS.includes(kind) && kind !== publisher) {
      left.push(...(wanted.get(kind) ?? []).map((id) => leftSaid(causes.find((c) => c.id === id)!, say('core_app_fix_left_second_publisher', kind, publisher!))));
      continue;
    }
    const fixes = [kind, ...absorbed].flatMap((k) => wanted.get(k) ?? []);
    // After a new secret storage every part has its key; the new storage itself needs none.
    const keyed = hasKey || kinds.includes('create-secret-storage');
    if (!keyed && !(kind === 'reset-cross-signing' && request.exportKeys === true)) {
      left.push(...fixes.map((id) => leftSaid(causes.find((c) => c.id === id)!, say('core_app_fix_left_needs_key', kind), true)));
      continue;
    }
    const exportKeys = request.exportKeys === true ? { exportKeys: true } : {};
    let partRequest: RepairRequest;
    switch (kind) {
      case 'reset-cross-signing':
        // The other sessions to sign with the new self-signing key: the chosen ones, else every signable one.
        partRequest = { kind, deviceIds: (request.deviceIds ?? signable(report)).filter((id) => id !== report.deviceId), ...exportKeys, ...keep(request.keepVerified) };
        break;
      case 'regenerate-subkeys':
        partRequest = {
          kind, ...subkeys, ...exportKeys, ...(subkeys.userSigning ? keep(request.keepVerified) : {}),
          ...(subkeys.selfSigning ? { deviceIds: (request.deviceIds ?? signable(report)).filter((id) => id !== report.deviceId) } : {}),
        };
        break;
      case 'sign-devices': {
        const unsigned = report.devices.filter((d) => d.crossSigned !== 'valid' && d.signable).map((d) => d.deviceId);
        const chosen = request.deviceIds === undefined ? undefined : request.deviceIds.filter((id) => unsigned.includes(id));
        // After an upload the sessions are signed with the uploaded key: every chosen signable one.
        const afterUpload = publisher === 'upload-keys' ? (request.deviceIds ?? signable(report)) : undefined;
        const ids = afterUpload ?? chosen;
        if (ids !== undefined && ids.length === 0) {
          left.push(...fixes.map((id) => leftFor(causes.find((c) => c.id === id)!, LEFT['no-session'])));
          continue;
        }
        partRequest = { kind, ...(ids === undefined ? {} : { deviceIds: ids }) };
        break;
      }
      case 'create-secret-storage':
        partRequest = {
          kind, ...(request.newPassphrase === undefined ? {} : { newPassphrase: request.newPassphrase }),
          ...(request.from === undefined ? {} : { from: request.from }), ...(request.seeds === undefined ? {} : { seeds: request.seeds }),
        };
        break;
      default:
        partRequest = { kind } as RepairRequest;
    }
    parts.push({ request: partRequest, fixes, absorbed });
  }
  // After an upload without a sign-devices cause (none is reported while no identity is published),
  // the sessions still need the uploaded self-signing key's signature.
  if (publisher === 'upload-keys' && !parts.some((p) => p.request.kind === 'sign-devices') && hasKey) {
    const ids = request.deviceIds ?? signable(report);
    if (ids.length > 0) parts.push({ request: { kind: 'sign-devices', deviceIds: ids }, fixes: [], absorbed: [] });
  }
  return { parts, left };
}

/** Words for a part in the plan's title. */
function partTitle(request: RepairRequest): string {
  switch (request.kind) {
    case 'reset-cross-signing': return request.deviceIds?.length ? sayCount('core_app_part_reset_and_sign', request.deviceIds.length) : say('core_app_part_reset');
    case 'regenerate-subkeys':
      if (request.selfSigning && request.userSigning) return say('core_app_part_new_both');
      if (request.selfSigning) return say('core_app_part_new_self_signing');
      // Neither key is never a part (composeFix asks for both then): its kind, as for an unnamed part.
      return request.userSigning ? say('core_app_part_new_user_signing') : request.kind;
    case 'sign-devices': return request.deviceIds === undefined ? say('core_app_part_sign_unsigned') : sayCount('core_app_part_sign', request.deviceIds.length);
    case 'resign-backup': return say('core_app_part_resign_backup');
    case 'upload-keys': return say('core_app_part_upload_keys');
    case 'store-secrets': return say('core_app_part_store_secrets');
    case 'create-secret-storage': return say('core_app_part_create_ssss');
    case 'set-default-key': return say('core_app_part_set_default_key');
    case 'reset-backup': return say('core_app_part_reset_backup');
    default: return request.kind;
  }
}

/**
 * Build the composed plan: each part on the same inspection (`buildPart` is prepare-repair's one
 * builder switch), joined into one plan of kind `fix`. A part whose builder finds nothing to do is
 * dropped; any other refusal refuses the fix, naming the part.
 */
export async function buildFix(
  ctx: PlanContext, request: FixRequest,
  buildPart: (request: RepairRequest, ctx: PlanContext) => Promise<Result<BuiltRecoveryPlan, RepairRefusal>>,
): Promise<Result<BuiltRecoveryPlan, RepairRefusal>> {
  const { report } = ctx;
  if (report.healthy) return fail({ code: 'nothing-to-do', kind: 'fix', detail: say('core_app_fix_healthy'), report });
  const composed = composeFix(report, request, ctx.ssss !== undefined);
  const built: { part: FixPart; plan: BuiltRecoveryPlan }[] = [];
  let done = false;
  try {
    const result = await buildParts(ctx, composed, built, buildPart);
    done = result.ok;
    return result;
  } finally {
    // A refusal after some parts were built: their private bytes go now (on success, with the plan's).
    if (!done) for (const b of built) for (const bytes of b.plan.secrets) bytes.fill(0);
  }
}

async function buildParts(
  ctx: PlanContext, composed: FixComposition, built: { part: FixPart; plan: BuiltRecoveryPlan }[],
  buildPart: (request: RepairRequest, ctx: PlanContext) => Promise<Result<BuiltRecoveryPlan, RepairRefusal>>,
): Promise<Result<BuiltRecoveryPlan, RepairRefusal>> {
  const { report } = ctx;
  const remarks: string[] = [];
  const left = [...composed.left];
  let uploaded: unknown;
  // The state and key each part is built on: what the parts before it leave.
  let partCtx = ctx;
  for (const part of composed.parts) {
    let result: Result<BuiltRecoveryPlan, RepairRefusal>;
    try {
      // Sessions signed after an upload are signed with the uploaded self-signing key, not the (absent) published one.
      result = part.request.kind === 'sign-devices' && uploaded !== undefined
        ? ok(await buildSignDevices(partCtx, { ...(part.request.deviceIds === undefined ? {} : { deviceIds: part.request.deviceIds }), selfSigningKey: uploaded }))
        : await buildPart(part.request, partCtx);
    } catch (error) {
      if (!(error instanceof PlanRefusedError)) throw error;
      result = fail({ code: error.code, kind: 'fix', detail: error.message, report });
    }
    if (!result.ok) {
      if (result.error.code === 'nothing-to-do') continue;
      // A private key the new secret storage does not hold (none was given): that part is left, the rest goes on.
      if (built.some((b) => b.part.request.kind === 'create-secret-storage') && ['secret-unreadable', 'missing-secret'].includes(result.error.code)) {
        const reason = say('core_app_fix_left_new_storage', partTitle(part.request), result.error.detail ?? result.error.code);
        left.push(...part.fixes.map((id) => leftSaid(groupCauses(report.problems).find((c) => c.id === id)!, reason)));
        continue;
      }
      // The part's title labels its builder's reason: data to describeRefusal, as a label on a
      // said detail cannot be one message ("$1: $2": where would the title end?).
      return fail({ ...result.error, kind: 'fix', detail: `${partTitle(part.request)}: ${result.error.detail ?? result.error.code}`, report });
    }
    if (part.request.kind === 'upload-keys') {
      const body = result.value.plan.steps.find((s) => s.kind === 'upload-cross-signing-keys')?.request.body;
      uploaded = body?.self_signing_key;
    }
    built.push({ part, plan: result.value });
    remarks.push(...result.value.remarks);
    partCtx = { ...partCtx, state: projectState(partCtx.state, result.value.plan), ...(result.value.storesUnder === undefined ? {} : { ssss: result.value.storesUnder }) };
  }
  for (const { remark } of left) remarks.push(remark);
  if (built.length === 0) {
    // Nothing can run, and the recovery key would change that: ask for it (as a repair on its own would).
    if (ctx.ssss === undefined && left.some((l) => l.needsKey === true)) return fail({ code: 'missing-key', kind: 'fix', report });
    return fail({ code: 'no-repair', kind: 'fix', detail: left.map((l) => l.listed).join('; ') || say('core_app_fix_no_repair_applies'), report });
  }
  if (partCtx.ssss !== ctx.ssss && built.length > 1) {
    const shown = built.some((b) => b.plan.recoveryKey !== undefined);
    remarks.push(say(shown ? 'core_app_fix_later_parts_new_key_shown' : 'core_app_fix_later_parts_new_key', partCtx.ssss!.keyId));
  }
  for (const { part } of built) {
    if (part.absorbed.length > 0) remarks.push(say('core_app_fix_also_does', partTitle(part.request), part.absorbed.join(', ')));
  }
  const plan = composePlans('fix', say('core_app_fix_title', built.map(({ part }) => partTitle(part.request)).join(' → ')), built.map((b) => b.plan.plan));
  const exportText = built.find((b) => b.plan.exportText !== undefined)?.plan.exportText;
  const recoveryKey = built.find((b) => b.plan.recoveryKey !== undefined)?.plan.recoveryKey;
  return ok({
    plan, secrets: built.flatMap((b) => b.plan.secrets), remarks,
    ...(exportText === undefined ? {} : { exportText }), ...(recoveryKey === undefined ? {} : { recoveryKey }),
  });
}
