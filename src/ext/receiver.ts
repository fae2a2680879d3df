/**
 * The receiving side, for the background: the sender is checked first (our own extension, from
 * an extension page — never trusting sender.url of a web page), the payload is validated
 * strictly, and only then is the handler called.
 */
import { browser, type MessageSender } from './api.ts';
import { requestValidators, type MessageType, type Protocol } from './protocol.ts';
import { toWireError, type WireReply } from './wire.ts';
import { isJsonObject } from '../core/result.ts';

export type Handlers = {
  [K in MessageType]: (req: Protocol[K]['req'], sender: MessageSender) => Promise<Protocol[K]['res']>;
};

/**
 * Is this message from one of our own extension pages (popup, detached window)?
 * Content scripts and web pages are refused: they carry a tab whose URL is a web origin.
 */
export function isTrustedSender(sender: MessageSender, runtimeId: string, extensionOrigin: string): boolean {
  if (sender.id !== runtimeId) return false;
  // Chrome sets sender.origin; Firefox may not. For an extension page the URL is our own
  // document's URL (a web page cannot forge a chrome-extension:// or moz-extension:// URL).
  const origin = (sender as { origin?: string }).origin ?? (sender.url ? new URL(sender.url).origin : undefined);
  return origin === extensionOrigin;
}

export type Validated = { ok: true; type: MessageType; req: unknown } | { ok: false; error: string };

export function validateMessage(message: unknown): Validated {
  if (!isJsonObject(message)) return { ok: false, error: 'message must be an object' };
  const keys = Object.keys(message);
  if (keys.length !== 2 || !keys.includes('type') || !keys.includes('req')) {
    return { ok: false, error: 'message must have exactly the keys type and req' };
  }
  const { type } = message;
  if (typeof type !== 'string' || !Object.hasOwn(requestValidators, type)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(String(type)).slice(0, 80)}` };
  }
  const r = requestValidators[type as MessageType](message.req, `${type}.req`);
  return r.ok ? { ok: true, type: type as MessageType, req: r.value } : { ok: false, error: r.error };
}

/**
 * Replies sent as one JSON string in Firefox (docs/design.md#reply-as-json): the large, plain-JSON
 * ones. A report of 5 000 devices took Firefox ≈470 ms to clone as objects; as a string it is a
 * copy. Chromium serialises messages as JSON itself, so there the string is only extra work.
 */
export const JSON_REPLIES: ReadonlySet<MessageType> = new Set<MessageType>(['readStatus', 'readUsers', 'readRaw']);

/** Does this extension origin belong to Firefox (which structured-clones message replies)? */
export function clonesReplies(extensionOrigin: string): boolean {
  return extensionOrigin.startsWith('moz-extension:');
}

/** Build the runtime.onMessage listener. Register it synchronously at the top of the background. */
export function createReceiver(handlers: Handlers, opts: { jsonReplies?: boolean } = {}) {
  const runtimeId = browser.runtime.id;
  const base = browser.runtime.getURL('/');
  const extensionOrigin = new URL(base).origin;
  // From the URL itself: Node's URL (unit tests) gives moz-extension:// the opaque origin "null".
  const jsonReplies = opts.jsonReplies ?? clonesReplies(base);
  return (message: unknown, sender: MessageSender): Promise<WireReply<unknown>> | undefined => {
    if (!isTrustedSender(sender, runtimeId, extensionOrigin)) {
      return Promise.resolve({ ok: false, error: { name: 'ForbiddenSenderError', message: 'Messages are accepted only from the extension’s own pages' } });
    }
    const checked = validateMessage(message);
    if (!checked.ok) {
      return Promise.resolve({ ok: false, error: { name: 'InvalidMessageError', message: checked.error } });
    }
    const handler = handlers[checked.type] as (req: unknown, sender: MessageSender) => Promise<unknown>;
    const asJson = jsonReplies && JSON_REPLIES.has(checked.type);
    return handler(checked.req, sender).then(
      (value) => (asJson ? { ok: true as const, json: JSON.stringify(value) } : { ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error: toWireError(error) }),
    );
  };
}
