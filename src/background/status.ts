/**
 * The readStatus handler: inspect the session's account with the shared core pipeline and hand
 * the popup the report plus the raw server JSON. The typed recovery key or passphrase lives only
 * for this call.
 */
import { inspectAccount } from '../core/inspect/inspect-account.ts';
import type { StatusView } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';
import type { MatrixClient } from '../core/matrix/client.ts';
import { diagnosticJson, type DiagnosticSource } from '../core/inspect/diagnostic.ts';
import type { Report } from '../core/inspect/report-types.ts';
import type { UsersReport } from '../core/users/types.ts';
import { detectEd25519, type Ed25519 } from '../core/ed25519.ts';
import { cachingEd25519 } from '../core/verify-cache.ts';

let ed: Promise<Ed25519> | undefined;
/**
 * The background's Ed25519, remembering its verify answers for as long as the background lives:
 * a re-read of an unchanged account verifies nothing again (src/core/verify-cache.ts).
 */
export const backgroundEd = (): Promise<Ed25519> => (ed ??= detectEd25519().then((e) => cachingEd25519(e)));

export class SecretInputError extends Error {
  override name = 'SecretInputError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/**
 * Each session's last read (report and the server JSON behind it) and last users report, kept for
 * the popup's raw views (`readRaw`) and diagnostic copy (`readDiagnostic`) instead of being sent
 * with every status. Memory only; no token or decrypted secret is in them.
 */
const lastRead = new Map<string, { report: Report; state: DiagnosticSource }>();
const lastUsers = new Map<string, UsersReport>();

export const lastRawKeysQuery = (sessionId: string): unknown => lastRead.get(sessionId)?.state.keysQuery.raw ?? null;
export const rememberUsers = (sessionId: string, users: UsersReport): void => void lastUsers.set(sessionId, users);
export function forgetLastRead(sessionId: string): void {
  lastRead.delete(sessionId);
  lastUsers.delete(sessionId);
}

/** The same redacted bundle as `xsign-doctor status --diagnostic`, of the session's last read. */
export function lastDiagnostic(sessionId: string, generatedAt: string): string | null {
  const read = lastRead.get(sessionId);
  if (!read) return null;
  const users = lastUsers.get(sessionId);
  return diagnosticJson(read.report, read.state, { generatedAt, ...(users ? { users } : {}) });
}

type Inspection = ReturnType<typeof inspectAccount>;

/**
 * Inspections started while the token was still being checked (session-read.ts), waiting for
 * the popup's first readStatus of that session. Taken once; ignored when older than EARLY_MAX_AGE_MS
 * (the popup asks within a message round trip of the tab read, so an old one was never asked for).
 */
const early = new Map<string, { at: number; inspection: Inspection }>();
const EARLY_MAX_AGE_MS = 30_000;
const EARLY_MAX = 4;

/**
 * Start reading an account before whoami confirmed the token, so the status needs no round trip of
 * its own after the tab read (docs/design.md#early-status). Reads only, with the token on its way to
 * the same homeserver as whoami; the result is used only if whoami confirms the same user and device.
 */
export function startEarlyInspection(client: MatrixClient, userId: string, deviceId: string): Inspection {
  // The backend (on a cold background, its WebCrypto probe) is awaited beside the first wave, not before it.
  const inspection = inspectAccount(client, { userId, deviceId: deviceId || undefined, secret: {}, ed: backgroundEd() });
  inspection.catch(() => undefined); // a failed early read is just not used
  return inspection;
}

export function adoptEarlyInspection(sessionId: string, inspection: Inspection): void {
  early.set(sessionId, { at: Date.now(), inspection });
  while (early.size > EARLY_MAX) early.delete(early.keys().next().value!);
}

const dropEarly = (sessionId: string): boolean => early.delete(sessionId);

async function takeEarly(sessionId: string): Promise<Awaited<Inspection> | undefined> {
  const e = early.get(sessionId);
  early.delete(sessionId);
  if (!e || Date.now() - e.at > EARLY_MAX_AGE_MS) return undefined;
  const r = await e.inspection.catch(() => undefined);
  return r?.ok ? r : undefined;
}

/** @param client - from sessions.clientFor(): one tab re-read at most for a rotating token, one retry after M_UNKNOWN_TOKEN. */
export async function readStatus(session: StoredSession, client: MatrixClient, secret: { recoveryKey?: string; passphrase?: string }): Promise<StatusView> {
  const started = performance.now();
  const withSecret = secret.recoveryKey !== undefined || secret.passphrase !== undefined;
  // Taken (and so dropped) by any read: after this one, an earlier early read is out of date.
  const adopted = withSecret ? void dropEarly(session.sessionId) : await takeEarly(session.sessionId);
  const inspected = adopted
    ?? await inspectAccount(client, { userId: session.userId, deviceId: session.deviceId || undefined, secret, ed: backgroundEd() });
  if (!inspected.ok) throw new SecretInputError(inspected.error.message, inspected.error.code);
  const { state, report } = inspected.value;
  lastRead.set(session.sessionId, { report, state });
  return {
    report,
    raw: {
      defaultKey: state.defaultKey.read,
      secrets: state.secrets.map((s) => ({ name: s.name, read: s.read })),
      keyDescriptions: state.keyDescriptions.map((d) => ({ keyId: d.keyId, read: d.read })),
      backup: state.backup.read,
    },
    elapsedMs: Math.round(performance.now() - started),
  };
}
