/**
 * The single source of truth for messages between extension pages and the background.
 * Each entry names its request validator; request and response types are derived from this
 * map, so a sender cannot send an unknown message and a missing handler is a compile error.
 */
import { int, object, optional, str, type Infer, type Validator } from '../core/schema.ts';
import type { ReadOutcome } from '../core/inspect/account-state.ts';
import type { Report } from '../core/inspect/report-types.ts';

/** The inspector's report plus the exact server JSON behind it (no token, no decrypted secret). */
export type StatusView = {
  report: Report;
  raw: {
    keysQuery: unknown;
    defaultKey: ReadOutcome;
    secrets: { name: string; read: ReadOutcome }[];
    keyDescriptions: { keyId: string; read: ReadOutcome }[];
    backup: ReadOutcome;
  };
  elapsedMs: number;
};

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

/** A session found in a tab that cannot be used, and why (`code` is the popup's data-code). */
export type RejectedSession = {
  app: string;
  userId?: string;
  deviceId?: string;
  code: string;
  message: string;
};

export type ReadTabResponse = { sessions: SessionView[]; rejected: RejectedSession[] };

const homeserverUrl = str({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i });

export const requestValidators = {
  ping: object({}),
  connectManual: object({ homeserver: homeserverUrl, accessToken: str({ min: 1, max: 4096 }) }),
  getSession: object({ tabId: optional(int({ min: 0 })) }),
  forgetSession: object({ sessionId: str({ min: 1, max: 128 }) }),
  copyToken: object({ sessionId: str({ min: 1, max: 128 }) }),
  /** Read the web app session(s) in a tab; each is checked with whoami before it is shown. */
  readTab: object({ tabId: int({ min: 0 }) }),
  /** Re-read a tab session's token from its tab (OIDC tokens rotate); never uses a refresh token. */
  refreshSessionToken: object({ sessionId: str({ min: 1, max: 128 }) }),
  /**
   * Inspect the session's account. A recovery key or passphrase, when given, is used for this one
   * request and never stored.
   */
  readStatus: object({
    sessionId: str({ min: 1, max: 128 }),
    recoveryKey: optional(str({ min: 1, max: 256 })),
    passphrase: optional(str({ min: 1, max: 1024 })),
  }),
} satisfies Record<string, Validator<unknown>>;

type Requests = { [K in keyof typeof requestValidators]: Infer<(typeof requestValidators)[K]> };

type Responses = {
  ping: { version: string; background: 'service-worker' | 'event-page' };
  connectManual: SessionView;
  getSession: SessionView | null;
  forgetSession: { forgotten: boolean };
  /** The one message that returns the token, so the popup can put it on the clipboard on request. */
  copyToken: { accessToken: string };
  /** Usable sessions (the web app's current one first), and what was found but is unusable. */
  readTab: ReadTabResponse;
  refreshSessionToken: SessionView;
  readStatus: StatusView;
};

export type MessageType = keyof typeof requestValidators;
export type Protocol = { [K in MessageType]: { req: Requests[K]; res: Responses[K] } };
export type Message<K extends MessageType = MessageType> = { type: K; req: Protocol[K]['req'] };
