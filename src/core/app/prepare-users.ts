/**
 * Whom a repair vouches for: verify-user (one person, their key compared by hand),
 * reverify-users (people my replaced user-signing key signed, master unchanged) and a reset's or
 * regeneration's keep-verified (people my current user-signing key signed). Decided here, on one
 * `/keys/query` and the users' classification (repair-users.ts), before any plan is built; the
 * builders then only sign.
 */
import type { Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import type { Report } from '../inspect/report-types.ts';
import type { UserToSign } from '../repair/plan-users.ts';
import { fail, ok, type Result } from '../result.ts';
import { fingerprintToKey, formatFingerprint } from '../users/index.ts';
import { classifyUsers, discoverUsersIn, type RepairUser, type RepairUserState } from './repair-users.ts';
import type { KeepVerified, RepairRefusal, RepairRequest } from './repair-request.ts';
import type { CoreMessageId } from '../words/core-messages.ts';
import { say } from '../words/say.ts';

type UsersClient = MatrixClient;

/** What a person typed for a master key, back to the key: the fingerprint's spaces dropped (fingerprint.ts), and an `ed25519:` prefix. */
export const normalisedMasterKey = (typed: string): string => fingerprintToKey(typed).replace(/^ed25519:/, '');

export const masterFingerprint = formatFingerprint;

/** A person and their state, said: one message a state. */
const STATE_WORDS: Record<RepairUserState, CoreMessageId> = {
  verified: 'core_app_user_verified',
  'verified-by-replaced-key': 'core_app_user_verified_by_replaced',
  'identity-changed': 'core_app_user_identity_changed',
  'not-verified': 'core_app_user_not_verified',
  'no-identity': 'core_app_user_no_identity',
};

const toSign = (u: RepairUser): UserToSign => ({ userId: u.userId, masterKey: u.masterKeyObject });

/** My user-signing key, when it can vouch for anyone: published and validly signed by my master. */
function currentUsk(report: Report): string | null {
  const usk = report.identity.userSigning;
  return usk.status === 'ok' && usk.signatureByMaster === 'valid' ? usk.publicKey : null;
}

const unusable = (kind: RepairRequest['kind'], report: Report): RepairRefusal => ({
  code: 'user-signing-key-unusable', kind, report,
  detail: report.identity.userSigning.status !== 'ok'
    ? say('core_app_usk_not_published')
    : say('core_app_usk_not_signed'),
});

/** Every chosen person must be in `wanted`; else the not-eligible refusal naming each one's state (`why`: the rule, with the people as $1). */
function chosen(users: RepairUser[], ids: readonly string[], wanted: RepairUserState, kind: RepairRequest['kind'], report: Report, why: CoreMessageId): Result<RepairUser[], RepairRefusal> {
  const wrong = users.filter((u) => ids.includes(u.userId) && u.state !== wanted);
  if (wrong.length === 0) return ok(users.filter((u) => u.state === wanted));
  return fail({ code: 'not-eligible', kind, report, detail: say(why, wrong.map((u) => say(STATE_WORDS[u.state], u.userId)).join(', ')) });
}

/**
 * The people a verify-user or reverify-users request signs, or the refusal saying why none.
 * @throws Whatever the homeserver reads throw.
 */
export async function usersToSign(
  client: UsersClient, me: string, request: Extract<RepairRequest, { kind: 'verify-user' | 'reverify-users' }>, report: Report, ed: Ed25519,
): Promise<Result<UserToSign[], RepairRefusal>> {
  const { kind } = request;
  const usk = currentUsk(report);
  if (usk === null) return fail(unusable(kind, report));
  if (request.kind === 'verify-user') {
    const [user] = await classifyUsers(client, me, report, [request.userId], ed);
    if (user === undefined) return fail({ code: 'bad-input', kind, report, detail: say('core_app_verify_own_identity') });
    if (user.masterKey === undefined) return fail({ code: 'no-identity', kind, report, detail: user.userId });
    if (normalisedMasterKey(request.masterKey) !== user.masterKey) {
      return fail({ code: 'master-key-differs', kind, report, detail: say('core_app_master_key_differs', user.userId, masterFingerprint(user.masterKey)) });
    }
    if (user.state === 'verified') return fail({ code: 'nothing-to-do', kind, report, detail: say('core_app_already_verified', user.userId) });
    return ok([toSign(user)]);
  }
  const ids = request.userIds ?? await discoverUsersIn(client, me, report, 'verified-by-replaced-key', ed);
  const users = await classifyUsers(client, me, report, ids, ed);
  const picked = chosen(users, request.userIds ?? [], 'verified-by-replaced-key', kind, report,
    'core_app_reverify_only_replaced');
  if (!picked.ok) return picked;
  if (picked.value.length === 0) return fail({ code: 'nothing-to-do', kind, report, detail: say('core_app_reverify_none_left') });
  return ok(picked.value.map(toSign));
}

/**
 * The people a reset or a new user-signing key keeps verified (signed by my CURRENT user-signing
 * key), or undefined for none. A chosen person my current key has not signed is refused.
 * @throws Whatever the homeserver reads throw.
 */
export async function usersToKeep(
  client: UsersClient, me: string, keep: KeepVerified | undefined, kind: RepairRequest['kind'], report: Report, ed: Ed25519,
): Promise<Result<UserToSign[] | undefined, RepairRefusal>> {
  if (keep === undefined || (Array.isArray(keep) && keep.length === 0)) return ok(undefined);
  const usk = currentUsk(report);
  if (usk === null) {
    if (keep === 'all') return ok(undefined); // no current key: it vouches for no one
    return fail(unusable(kind, report));
  }
  const ids = keep === 'all' ? await discoverUsersIn(client, me, report, 'verified', ed) : keep;
  const users = await classifyUsers(client, me, report, ids, ed);
  const picked = chosen(users, keep === 'all' ? [] : keep, 'verified', kind, report, 'core_app_keep_only_verified');
  if (!picked.ok) return picked;
  return ok(picked.value.map(toSign));
}
