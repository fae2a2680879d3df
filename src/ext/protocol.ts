/**
 * The single source of truth for messages between extension pages and the background.
 * Each entry names its request validator; request and response types are derived from this
 * map, so a sender cannot send an unknown message and a missing handler is a compile error.
 */
import { int, object, optional, str, type Infer, type Validator } from '../core/schema.ts';

/** What the popup may know about a session: never the access token itself. */
export type SessionView = {
  sessionId: string;
  userId: string;
  deviceId: string;
  homeserver: string;
  app: string;
  /** e.g. "syt_…x9Qa" — enough to recognise, useless to steal. */
  tokenMasked: string;
  /** Set when whoami disagrees with what the web app's storage claimed. */
  mismatch?: string;
};

const homeserverUrl = str({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i });

export const requestValidators = {
  ping: object({}),
  connectManual: object({ homeserver: homeserverUrl, accessToken: str({ min: 1, max: 4096 }) }),
  getSession: object({ tabId: optional(int({ min: 0 })) }),
  forgetSession: object({ sessionId: str({ min: 1, max: 128 }) }),
  copyToken: object({ sessionId: str({ min: 1, max: 128 }) }),
} satisfies Record<string, Validator<unknown>>;

type Requests = { [K in keyof typeof requestValidators]: Infer<(typeof requestValidators)[K]> };

type Responses = {
  ping: { version: string; background: 'service-worker' | 'event-page' };
  connectManual: SessionView;
  getSession: SessionView | null;
  forgetSession: { forgotten: boolean };
  /** The one message that returns the token, so the popup can put it on the clipboard on request. */
  copyToken: { accessToken: string };
};

export type MessageType = keyof typeof requestValidators;
export type Protocol = { [K in MessageType]: { req: Requests[K]; res: Responses[K] } };
export type Message<K extends MessageType = MessageType> = { type: K; req: Protocol[K]['req'] };
