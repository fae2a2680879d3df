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

type UsersClient = MatrixClient;

/** What a person typed for a master key, back to the key: the fingerprint's spaces dropped (fingerprint.ts), and an `ed25519:` prefix. */
export const normalisedMasterKey = (typed: string): string => fingerprintToKey(typed).replace(/^ed25519:/, '');

export const masterFingerprint = formatFingerprint;

const STATE_WORDS: Record<RepairUserState, string> = {
  verified: 'verified with your current user-signing key',
  'verified-by-replaced-key': 'verified only with your replaced user-signing key',
  'identity-changed': 'their identity changed since you verified them',
  'not-verified': 'not verified by you',
  'no-identity': 'no cross-signing identity',
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
    ? 'your user-signing key is not published'
    : 'your user-signing key is not validly signed by your master key, so no one would trust its signatures',
});

/** Every chosen person must be in `wanted`; else the not-eligible refusal naming each one's state. */
function chosen(users: RepairUser[], ids: readonly string[], wanted: RepairUserState, kind: RepairRequest['kind'], report: Report, why: string): Result<RepairUser[], RepairRefusal> {
  const wrong = users.filter((u) => ids.includes(u.userId) && u.state !== wanted);
  if (wrong.length === 0) return ok(users.filter((u) => u.state === wanted));
  return fail({ code: 'not-eligible', kind, report, detail: `${why}: ${wrong.map((u) => `${u.userId} (${STATE_WORDS[u.state]})`).join(', ')}` });
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
    if (user === undefined) return fail({ code: 'bad-input', kind, report, detail: 'your own identity is verified by your master key, not by verify-user' });
    if (user.masterKey === undefined) return fail({ code: 'no-identity', kind, report, detail: user.userId });
    if (normalisedMasterKey(request.masterKey) !== user.masterKey) {
      return fail({ code: 'master-key-differs', kind, report, detail: `${user.userId}: the master key you confirmed is not the one the homeserver publishes for them (theirs now reads ${masterFingerprint(user.masterKey)})` });
    }
    if (user.state === 'verified') return fail({ code: 'nothing-to-do', kind, report, detail: `you already verified ${user.userId} with this master key` });
    return ok([toSign(user)]);
  }
  const ids = request.userIds ?? await discoverUsersIn(client, me, report, 'verified-by-replaced-key', ed);
  const users = await classifyUsers(client, me, report, ids, ed);
  const picked = chosen(users, request.userIds ?? [], 'verified-by-replaced-key', kind, report,
    'only people verified with your replaced user-signing key, whose master key has not changed since, are verified again');
  if (!picked.ok) return picked;
  if (picked.value.length === 0) return fail({ code: 'nothing-to-do', kind, report, detail: 'no one you verified with a replaced user-signing key is left to verify again' });
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
  const picked = chosen(users, keep === 'all' ? [] : keep, 'verified', kind, report, 'only people your current user-signing key verified can be kept verified');
  if (!picked.ok) return picked;
  return ok(picked.value.map(toSign));
}
