/**
 * What the homeserver publishes now, compared with the keys a plan was publishing: the "server
 * state" shown after a repair stopped half-way (a failed step, a lost response, a restarted
 * background), so the user knows whether the new keys are live before deciding what to run next.
 */
import type { MatrixClient } from '../matrix/client.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { publicKeyOf } from './keys.ts';
import { say } from '../words/say.ts';

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
  // Per role: the key (data), or said whether it is this repair's; the roles are in the message.
  const [master, selfSigning, userSigning] = ROLES.map((role) => {
    const key = published[role];
    if (key === null) return planKeys[role] === undefined ? say('core_eng_server_key_none') : say('core_eng_server_key_none_not_ours');
    if (planKeys[role] === undefined) return key;
    return key === planKeys[role] ? say('core_eng_server_key_ours', key) : say('core_eng_server_key_not_ours', key);
  });
  const text = say('core_eng_server_publishes', master!, selfSigning!, userSigning!);
  return { published, text };
}
