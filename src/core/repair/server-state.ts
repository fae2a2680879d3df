/**
 * What the homeserver publishes now, compared with the keys a plan was publishing: the "server
 * state" shown after a repair stopped half-way (a failed step, a lost response, a restarted
 * background), so the user knows whether the new keys are live before deciding what to run next.
 */
import type { MatrixClient } from '../matrix/client.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { publicKeyOf } from './keys.ts';

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
  const publishedKey = (role: KeyRole) => publicKeyOf(response[ROLE[role].querySection]?.[userId]) ?? null;
  const published: Record<KeyRole, string | null> = {
    master: publishedKey('master'), selfSigning: publishedKey('selfSigning'), userSigning: publishedKey('userSigning'),
  };
  const described = ROLES.map((role) => {
    const key = published[role];
    if (key === null) return `${ROLE[role].name} none${planKeys[role] === undefined ? '' : ' (not this repair\'s)'}`;
    const mark = planKeys[role] === undefined ? '' : key === planKeys[role] ? ' (this repair\'s)' : ' (not this repair\'s)';
    return `${ROLE[role].name} ${key}${mark}`;
  });
  const text = `The homeserver now publishes: ${described.join(', ')}.`;
  return { published, text };
}
