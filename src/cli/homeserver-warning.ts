/**
 * The CLI's side of "the homeserver is proven to be the account's": the person typed
 * --homeserver themselves, so an unproven one is not refused, but said plainly on stderr, naming
 * both hosts, before anything is sent that changes the account (client-server API §Server Discovery).
 */
import type { FetchLike } from '../core/index.ts';
import { checkHomeserver, describeVerdict, isTrustedHomeserver } from '../core/matrix/discovery.ts';
import { terminalSafe } from './terminal-safe.ts';

export async function warnIfUnproven(userId: string, baseUrl: string, fetchFn: FetchLike, err: (text: string) => void): Promise<void> {
  const verdict = await checkHomeserver(userId, baseUrl, { fetch: fetchFn });
  if (isTrustedHomeserver(verdict)) return;
  err(terminalSafe(`xsign-doctor: warning: ${describeVerdict(verdict)}`));
}
