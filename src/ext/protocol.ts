/**
 * The single source of truth for messages between extension pages and the background.
 * Each entry names its request validator; request and response types are derived from this
 * map, so a sender cannot send an unknown message and a missing handler is a compile error.
 */
import { array, bool, int, literal, object, optional, str, type Infer, type Validator } from '../core/schema.ts';
import { REPAIR_KINDS, type RepairKind } from '../core/repair/repair-kinds.ts';
import type { ReadOutcome } from '../core/inspect/account-state.ts';
import type { Report } from '../core/inspect/report-types.ts';
import type { HomeserverVerdict } from '../core/matrix/discovery.ts';
import type { UsersReport } from '../core/users/types.ts';

export { REPAIR_KINDS, type RepairKind } from '../core/repair/repair-kinds.ts';

/**
 * The inspector's report plus the exact server JSON behind it (no token, no decrypted secret).
 * The /keys/query response, the large part, is not in it: the popup asks for it with `readRaw`
 * when a raw view opens.
 */
export type StatusView = {
  report: Report;
  raw: {
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
  /** Is `homeserver` the homeserver of `userId`'s server name (§Server Discovery)? */
  homeserverCheck: HomeserverVerdict;
  /** The person confirmed this host for this session although it is not proven. */
  homeserverConfirmed: boolean;
  /** Writes and the password may go to `homeserver` (proven over https/loopback, or confirmed). */
  writable: boolean;
};

/** A session found in a tab that cannot be used, and why (`code` is the popup's data-code). */
export type RejectedSession = {
  app: string;
  userId?: string;
  deviceId?: string;
  code: string;
  message: string;
  /** `message` as a _locales message id and substitutions, when it is one of the read errors (docs/design.md#translations). */
  words?: { id: string; subs: string[] };
};

export type ReadTabResponse = { sessions: SessionView[]; rejected: RejectedSession[] };

/** One request of a plan, exactly as it will be sent (no token, no private key). */
export type RepairStepView = { id: string; title: string; method: string; path: string; body: unknown; uia: boolean };

/**
 * Whether the page of a fallback / approval prompt may be opened (src/core/repair/auth-page.ts):
 * `opens` names the origin and host the button opens; `refused` says why it is shown as text only.
 * Absent while the homeserver's advertised origins are being read.
 */
export type AuthPageVerdict = { opens: { origin: string; host: string } } | { refused: string };

/** What the background needs from the user to go on (never holds the password itself). */
export type RepairPrompt =
  | { kind: 'password'; attempt: number; error?: string }
  /** `url` is untrusted text from the homeserver (cut to a displayable length when refused as too long). */
  | { kind: 'fallback'; url: string; page?: AuthPageVerdict }
  /** Approval polling (docs/matrix-api.md#uia-oauth): `polls` resends so far, within `timeoutMs` of waiting. */
  | { kind: 'approval'; url: string; page?: AuthPageVerdict; polls?: number; elapsedMs?: number; timeoutMs?: number };

export type RepairPhase = 'preview' | 'running' | 'prompt' | 'done' | 'failed' | 'cancelled';

/**
 * A repair flow as the popup sees it; also mirrored to storage.session. Plain JSON with no
 * private key, no password, no recovery key, no token.
 */
export type RepairFlowView = {
  flowId: string;
  sessionId: string;
  kind: RepairKind;
  title: string;
  planId: string;
  phase: RepairPhase;
  steps: RepairStepView[];
  notes: string[];
  progress: { completed: number; total: number; current?: string };
  prompt?: RepairPrompt;
  /** The preflight: the flows the homeserver offers for this request (stages joined by " → ") and the one used. */
  authOffer?: { flows: string[]; chosen: string | null; message?: string };
  /** The homeserver asked us to wait this long (429). */
  waitingMs?: number;
  /** Status line from the UIA driver. */
  status?: string;
  result?: { outcome: 'success' | 'failed' | 'cancelled'; message: string; failures?: { userId: string; keyId: string; errcode: string; message?: string }[] };
  /** What went wrong, naming the step. */
  error?: { step?: string; message: string };
  /** The public keys the plan publishes (to compare with the server after a stop). */
  publicKeys?: Record<string, string>;
  /** The plan keeps the new private keys only in an export file: Run needs the user's confirmation that it is saved. */
  exportRequired?: boolean;
  /** The plan makes a new recovery key (shown once in the preview's answer): Run needs the user's confirmation that it is saved. */
  recoveryKeyRequired?: boolean;
  /** After a failure or a background restart: what the homeserver publishes now, re-read from it. */
  serverState?: string;
  /** The background was stopped by the browser while this flow ran, and it continued the same plan. */
  resumed?: { count: number; message: string };
  updatedAt: string;
};

const flowId = str({ min: 1, max: 128 });
/** A pasted key: a signed CrossSigningKey is well under 2 KB; leave room for formatting. */
const MANUAL_KEY_MAX = 16_384;

const homeserverUrl = str({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i });

/** A Matrix user ID as typed: `@localpart:server`, visible ASCII (appendices §User Identifiers). */
const matrixUserId = str({ min: 3, max: 255, pattern: /^@[\x21-\x39\x3b-\x7e]+:[\x21-\x7e]+$/ });

export const requestValidators = {
  ping: object({}),
  connectManual: object({ homeserver: homeserverUrl, accessToken: str({ min: 1, max: 4096 }) }),
  getSession: object({ tabId: optional(int({ min: 0 })) }),
  forgetSession: object({ sessionId: str({ min: 1, max: 128 }) }),
  copyToken: object({ sessionId: str({ min: 1, max: 128 }) }),
  /** Read the web app session(s) in a tab; each is checked with whoami before it is shown. */
  readTab: object({ tabId: int({ min: 0 }) }),
  /**
   * Has the extension's access to this tab lapsed (activeTab withdrawn by a reload or a
   * cross-origin navigation)? Asked by the detached window, which has no grant of its own.
   */
  tabAccess: object({ tabId: int({ min: 0 }) }),
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
  /**
   * The users report (docs/matrix-api.md#user-verification): the members of the session's
   * encrypted rooms and direct chats, plus `userIds` typed in the popup.
   */
  /** The /keys/query response behind the session's last readStatus, for a raw view the person opened. */
  readRaw: object({ sessionId: str({ min: 1, max: 128 }) }),
  /** The redacted diagnostic bundle (as `xsign-doctor status --diagnostic`) of the session's last read. */
  readDiagnostic: object({ sessionId: str({ min: 1, max: 128 }) }),
  readUsers: object({
    sessionId: str({ min: 1, max: 128 }),
    userIds: optional(array(str({ min: 3, max: 255, pattern: /^@[^\s:]+:\S+$/ }), { max: 100 })),
  }),
  /** Build (not run) a repair plan; the recovery key / passphrase is used for this call only. */
  repairPreview: object({
    sessionId: str({ min: 1, max: 128 }),
    kind: literal(...REPAIR_KINDS),
    recoveryKey: optional(str({ min: 1, max: 256 })),
    passphrase: optional(str({ min: 1, max: 1024 })),
    /** store-secrets: the recovery key of the other secret-storage key the secrets are held under. */
    sourceRecoveryKey: optional(str({ min: 1, max: 256 })),
    deviceIds: optional(array(str({ min: 1, max: 256 }), { max: 1000 })),
    /** regenerate-subkeys: which subkeys to replace. */
    subkeys: optional(array(literal('selfSigning', 'userSigning'), { min: 1, max: 2 })),
    /** manual-upload: per key, the pasted CrossSigningKey JSON or base64 seed (parsed as untrusted input). */
    manualKeys: optional(object({
      master: optional(str({ min: 1, max: MANUAL_KEY_MAX })),
      selfSigning: optional(str({ min: 1, max: MANUAL_KEY_MAX })),
      userSigning: optional(str({ min: 1, max: MANUAL_KEY_MAX })),
    })),
    /**
     * reset / regenerate: keep the new private keys in an export file the user saves (offered once,
     * in the preview's response) instead of, or besides, secret storage.
     */
    exportKeys: optional(bool()),
    /**
     * With exportKeys: the passphrase the export file is encrypted under (used for this call only,
     * never stored), or `exportPlaintext` when the user ticked the warning instead.
     */
    exportPassphrase: optional(str({ min: 1, max: 1024 })),
    exportPlaintext: optional(bool()),
    /** verify-user: whom, and the master key (or its fingerprint) the person confirmed with them. */
    userId: optional(matrixUserId),
    masterKey: optional(str({ min: 1, max: 200 })),
    /** reverify-users: whom (default: everyone eligible). */
    userIds: optional(array(matrixUserId, { min: 1, max: 5000 })),
    /** reset / regenerate: keep these people verified, or everyone the current user-signing key verified. */
    keepVerified: optional(array(matrixUserId, { min: 1, max: 5000 })),
    keepAllVerified: optional(bool()),
    /** create-secret-storage (and a fix that sets up secret storage): derive the new key from this passphrase (used for this call only, never stored). */
    newPassphrase: optional(str({ min: 1, max: 1024 })),
    /** create-secret-storage (and a fix that sets it up): a Cross-Signing Doctor export file's (plaintext) text, whose keys are stored under the new key. */
    exportFileText: optional(str({ min: 1, max: 65536 })),
    /** sign-out-device: the second confirmation that this session is signed out too. */
    includingThisSession: optional(bool()),
  }),
  /**
   * `exportSaved`: the user confirmed saving the export file (required when the plan relies on it).
   * `recoveryKeySaved`: the user confirmed saving the new recovery key (required when the plan makes one).
   */
  repairStart: object({ flowId, exportSaved: optional(bool()), recoveryKeySaved: optional(bool()) }),
  /** The password for ONE authentication attempt of the running flow; never stored. */
  repairPassword: object({ flowId, password: str({ min: 1, max: 4096 }) }),
  repairCancel: object({ flowId }),
  /** The user completed the homeserver's fallback page (SSO, terms…): resend the request. */
  repairFallbackDone: object({ flowId }),
  /**
   * The user clicked the button that opens the current prompt's page. The page is never opened
   * without this click, and only when it passed the checks (AuthPageVerdict `opens`).
   */
  repairOpenPage: object({ flowId }),
  repairState: object({ sessionId: str({ min: 1, max: 128 }) }),
  /**
   * The person trusts this session's homeserver host although it is not proven to be the
   * account's. `host` is the host the popup showed: a confirmation for another host is refused.
   */
  confirmHomeserver: object({ sessionId: str({ min: 1, max: 128 }), host: str({ min: 1, max: 300 }) }),
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
  /** `lapsed`: reads of the tab wait until the person clicks the toolbar icon on it. */
  tabAccess: { access: 'granted' | 'lapsed' };
  refreshSessionToken: SessionView;
  readStatus: StatusView;
  /** `null` before the session's first readStatus in this background's lifetime. */
  readRaw: { keysQuery: unknown };
  /** `null` before the session's first readStatus in this background's lifetime. */
  readDiagnostic: { text: string | null };
  /** Names users: shown in the popup, never put in the diagnostic report (counts only there). */
  readUsers: UsersReport;
  /**
   * The new flow in phase `preview`, or the flow already running for the session. `exportText`
   * (PRIVATE: the new seeds) comes only in this response, once, for the user to save; it is never
   * mirrored or kept by the background.
   */
  repairPreview: RepairFlowView & { exportText?: string; exportEncrypted?: boolean; recoveryKey?: string };
  repairStart: RepairFlowView;
  repairPassword: RepairFlowView;
  repairCancel: RepairFlowView;
  repairFallbackDone: RepairFlowView;
  repairOpenPage: RepairFlowView;
  repairState: RepairFlowView | null;
  confirmHomeserver: SessionView;
};

export type MessageType = keyof typeof requestValidators;
export type Protocol = { [K in MessageType]: { req: Requests[K]; res: Responses[K] } };
export type Message<K extends MessageType = MessageType> = { type: K; req: Protocol[K]['req'] };
