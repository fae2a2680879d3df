/**
 * The sending side of the typed message protocol, for extension pages. It imports only types
 * from the protocol map, so the validators stay out of the popup bundle.
 */
import { pageApi } from './page-api.ts';
import type { MessageType, Protocol } from './protocol.ts';
import { RemoteError, isWireReply, replyValue } from './wire.ts';

/** Send a message to the background and unwrap its reply, rebuilding errors as RemoteError. */
export async function send<K extends MessageType>(type: K, req: Protocol[K]['req']): Promise<Protocol[K]['res']> {
  const reply: unknown = await pageApi().runtime.sendMessage({ type, req });
  if (!isWireReply(reply)) throw new Error(`No valid reply from the background for ${type}`);
  if (!reply.ok) throw new RemoteError(reply.error);
  return replyValue(reply) as Protocol[K]['res'];
}
