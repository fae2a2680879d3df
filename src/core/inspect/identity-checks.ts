/**
 * Checks on the published cross-signing keys: docs/matrix-api.md#inspector-checklist items 1
 * (key shapes) and 2 (the master's signatures on the self-signing and user-signing keys), plus
 * the optional device signatures on the master.
 */
import { quote } from '../matrix/json-guards.ts';
import type { Ed25519 } from '../ed25519.ts';
import type { KeysQueryResult } from '../matrix/parse.ts';
import type { CrossSigningKey } from '../matrix/types.ts';
import { ROLE, type KeyRole } from '../roles.ts';
import { decodePublicKey, ed25519SignerSuffixes, verifySafely } from './check-helpers.ts';
import { problem, type Problem } from './problems.ts';
import { say } from '../words/say.ts';
import type {
  CrossSigningKeyReport, IdentityReport, MasterDeviceSignature,
} from './report-types.ts';

/** More device signatures on the master than this are not listed (hostile data). */
const MAX_MASTER_DEVICE_SIGNATURES = 64;

export interface IdentityResult {
  identity: IdentityReport;
  problems: Problem[];
  /** Usable public keys (shape ok), for the device and backup checks. */
  master: Uint8Array | null;
  selfSigning: Uint8Array | null;
  /** Every public key and key-ID suffix the three keys carry, for the device-ID collision check. */
  keyStrings: Set<string>;
  /** True when this user's key entries were dropped as malformed: "missing" may be wrong. */
  partial: boolean;
}

function ownEntry<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** Shape checks of docs/matrix-api.md#inspector-checklist item 1; the parser already guaranteed the field types. */
function shapeOf(role: KeyRole, key: CrossSigningKey, userId: string) {
  const shapeProblems: string[] = [];
  const { usage } = ROLE[role];
  if (key.user_id !== userId) shapeProblems.push(say('core_ins_device_names_user', quote(key.user_id)));
  if (!key.usage.includes(usage)) shapeProblems.push(say('core_ins_key_usage_lacks', quote(key.usage.join(', ')), usage));
  const entries = Object.entries(key.keys);
  const ed = entries.filter(([id]) => id.startsWith('ed25519:'));
  if (entries.length !== 1) shapeProblems.push(say('core_ins_key_count', entries.length));
  const [first] = ed;
  if (first === undefined) {
    if (entries.length > 0) shapeProblems.push(say('core_ins_key_no_ed25519'));
    return { shapeProblems, publicKey: null, keyId: null, bytes: null };
  }
  const [keyId, value] = first;
  if (keyId !== `ed25519:${value}`) shapeProblems.push(say('core_ins_key_id_mismatch', quote(keyId)));
  const bytes = decodePublicKey(value);
  if (bytes === null) shapeProblems.push(say('core_ins_key_not_32_bytes'));
  return { shapeProblems, publicKey: value, keyId, bytes };
}

function describeKey(role: KeyRole, state: KeysQueryResult, userId: string) {
  const { querySection } = ROLE[role];
  const key = ownEntry(state.response[querySection], userId);
  const skip = state.skipped.find((s) => s.section === querySection && s.userId === userId);
  const base = { role: ROLE[role].usage, signatureByMaster: 'n/a' as const };
  if (key === undefined) {
    const report: CrossSigningKeyReport = skip === undefined
      ? { ...base, status: 'missing', publicKey: null, keyId: null, userId: null, shapeProblems: [] }
      : { ...base, status: 'malformed', publicKey: null, keyId: null, userId: null, shapeProblems: [skip.problem] };
    return { key, report, bytes: null, otherUser: false };
  }
  const shape = shapeOf(role, key, userId);
  const report: CrossSigningKeyReport = {
    ...base,
    status: shape.shapeProblems.length === 0 ? 'ok' : 'malformed',
    publicKey: shape.publicKey, keyId: shape.keyId, userId: key.user_id, shapeProblems: shape.shapeProblems,
  };
  return { key, report, bytes: report.status === 'ok' ? shape.bytes : null, otherUser: key.user_id !== userId };
}

function shapeProblem(role: KeyRole, report: CrossSigningKeyReport, otherUser: boolean): Problem {
  const { label: words, usage: subject, name } = ROLE[role];
  const details = report.shapeProblems.join('; ');
  const repair = role === 'master' ? 'reset-cross-signing' : 'regenerate-subkeys';
  if (otherUser) {
    return problem('key-for-other-user', say('core_ins_key_other_user', words, details), { subject, repair });
  }
  return problem(`${name}-key-malformed`, say('core_ins_key_malformed', words, details), { subject });
}

/**
 * Check the three cross-signing keys of `userId` in a keys/query result.
 *
 * @param deviceKeys - Device ID → ed25519 public key of the user's devices, for the device
 *   signatures on the master.
 */
export async function checkIdentity(
  keys: KeysQueryResult, userId: string, deviceKeys: ReadonlyMap<string, Uint8Array>, ed: Ed25519,
): Promise<IdentityResult> {
  const problems: Problem[] = [];
  const master = describeKey('master', keys, userId);
  const ssk = describeKey('selfSigning', keys, userId);
  const usk = describeKey('userSigning', keys, userId);
  const keyStrings = new Set<string>();
  for (const k of [master, ssk, usk]) {
    for (const [id, value] of Object.entries(k.key?.keys ?? {})) {
      keyStrings.add(id.replace(/^ed25519:/, ''));
      keyStrings.add(value);
    }
  }
  const partial = keys.skipped.some((s) => s.userId === userId && s.section !== 'device_keys');

  if (master.key === undefined && master.report.status === 'missing') {
    problems.push(problem('no-cross-signing', say('core_ins_no_identity')));
  } else if (master.key !== undefined && master.report.status === 'malformed') {
    problems.push(shapeProblem('master', master.report, master.otherUser));
  }

  const masterBytes = master.bytes;
  const masterPub = master.report.publicKey ?? '';
  for (const [role, sub] of [['selfSigning', ssk], ['userSigning', usk]] as const) {
    if (masterBytes !== null && sub.key !== undefined) {
      sub.report.signatureByMaster = await verifySafely(sub.key, userId, masterPub, masterBytes, ed);
    }
    // Without a usable master, the subkeys cannot be judged: the master's problem is the root.
    if (masterBytes === null) continue;
    const { label: words, name: prefix, usage: subject } = ROLE[role];
    if (sub.report.status === 'missing') {
      problems.push(problem(`${prefix}-key-missing`, say(role === 'selfSigning' ? 'core_ins_ssk_not_published' : 'core_ins_usk_not_published', words), { subject }));
    } else if (sub.key !== undefined && sub.report.status === 'malformed') {
      problems.push(shapeProblem(role, sub.report, sub.otherUser));
    } else if (sub.key !== undefined && sub.report.signatureByMaster !== 'valid') {
      const id = sub.report.signatureByMaster === 'invalid' ? 'core_ins_subkey_invalid_master_signature' : 'core_ins_subkey_not_signed_by_master';
      problems.push(problem(`${prefix}-not-signed-by-master`, say(id, words), { subject }));
    }
  }

  const deviceSignatures: MasterDeviceSignature[] = [];
  if (master.key !== undefined) {
    const signers = ed25519SignerSuffixes(master.key, userId).filter((s) => s !== masterPub);
    for (const deviceId of signers.slice(0, MAX_MASTER_DEVICE_SIGNATURES)) {
      const deviceKey = deviceKeys.get(deviceId);
      deviceSignatures.push({
        deviceId,
        result: deviceKey === undefined ? 'unknown-device' : await verifySafely(master.key, userId, deviceId, deviceKey, ed),
      });
    }
  }
  return {
    identity: { master: { ...master.report, deviceSignatures }, selfSigning: ssk.report, userSigning: usk.report },
    problems,
    master: masterBytes,
    selfSigning: ssk.bytes,
    keyStrings,
    partial,
  };
}
