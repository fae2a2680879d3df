/**
 * What the homeserver publishes now, compared with the keys a plan was publishing: the "server
 * state" shown after a repair stopped half-way (a failed step, a lost response, a restarted
 * background), so the user knows whether the new keys are live before deciding what to run next.
 */
import type { MatrixClient } from '../matrix/client.ts';
import { publicKeyOf, ROLE_NAME, ROLES, type KeyRole } from './keys.ts';

export interface ServerKeys {
  /** Per role: the published public key, or null. */
  published: Record<KeyRole, string | null>;
  /** One sentence for the UI and the CLI. */
  text: string;
}

/**
 * Re-read the user's cross-signing keys (`POST /keys/query`) and compare them with `planKeys`.
 * @throws {MatrixApiError|ConnectionError} when the homeserver cannot be read (the caller reports that instead).
 */
export async function describeServerKeys(
  client: MatrixClient, userId: string, planKeys: Partial<Record<KeyRole, string>>, opts: { signal?: AbortSignal } = {},
): Promise<ServerKeys> {
  const { response } = await client.queryKeys([userId], opts.signal === undefined ? {} : { signal: opts.signal });
  const published: Record<KeyRole, string | null> = {
    master: publicKeyOf(response.master_keys?.[userId]) ?? null,
    selfSigning: publicKeyOf(response.self_signing_keys?.[userId]) ?? null,
    userSigning: publicKeyOf(response.user_signing_keys?.[userId]) ?? null,
  };
  const described = ROLES.map((role) => {
    const key = published[role];
    if (key === null) return `${ROLE_NAME[role]} none${planKeys[role] === undefined ? '' : ' (not this repair\'s)'}`;
    const mark = planKeys[role] === undefined ? '' : key === planKeys[role] ? ' (this repair\'s)' : ' (not this repair\'s)';
    return `${ROLE_NAME[role]} ${key}${mark}`;
  });
  const text = `The homeserver now publishes: ${described.join(', ')}.`;
  return { published, text };
}
