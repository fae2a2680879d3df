/**
 * The readStatus handler: inspect the session's account with the shared core pipeline and hand
 * the popup the report plus the raw server JSON. The typed recovery key or passphrase lives only
 * for this call.
 */
import { inspectAccount } from '../core/inspect/inspect-account.ts';
import type { StatusView } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';
import type { MatrixClient } from '../core/matrix/client.ts';

export class SecretInputError extends Error {
  override name = 'SecretInputError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/**
 * Each session's last /keys/query response, kept for the popup's raw views (`readRaw`) instead of
 * being sent with every status. Memory only, like the report it came with.
 */
const lastKeysQuery = new Map<string, unknown>();

export const lastRawKeysQuery = (sessionId: string): unknown => lastKeysQuery.get(sessionId) ?? null;
export const forgetRawKeysQuery = (sessionId: string): void => void lastKeysQuery.delete(sessionId);

/** @param client - from sessions.clientFor(): one tab re-read at most for a rotating token, one retry after M_UNKNOWN_TOKEN. */
export async function readStatus(session: StoredSession, client: MatrixClient, secret: { recoveryKey?: string; passphrase?: string }): Promise<StatusView> {
  const started = performance.now();
  const inspected = await inspectAccount(client, { userId: session.userId, deviceId: session.deviceId || undefined, secret });
  if (!inspected.ok) throw new SecretInputError(inspected.error.message, inspected.error.code);
  const { state, report } = inspected.value;
  lastKeysQuery.set(session.sessionId, state.keysQuery.raw);
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
