/**
 * The contract between the UIA driver (uia.ts) and whatever shows things to the user: the popup
 * through the background worker, or the CLI. All methods may be called from a background worker;
 * everything passed in is plain JSON-serialisable data, so an implementation can forward it over
 * a message channel and resolve with the answer that comes back.
 *
 * Call order for one request (docs/matrix-api.md#uia):
 * 1. The request is sent without `auth`. If it succeeds, no method is called except `onState`.
 * 2. On the first 401 challenge, `flowsOffered` (the preflight: what the server offers and what
 *    we recommend) — always before any prompt. Called again only if the server stops offering
 *    the chosen flow.
 * 3. Per stage of the chosen flow: `askPassword` (repeated after a wrong password, with `error`),
 *    nothing for `m.login.dummy`, `openFallback` for other stages, `openApproval` then polling
 *    for `m.oauth` / `org.matrix.cross_signing_reset`.
 * 4. `onWaiting` whenever a 429 makes us wait; `onState` throughout.
 *
 * Cancelling: resolve a prompt with `null`/`false`, or fire the AbortSignal given to the driver.
 * Either way the driver rejects with `RepairCancelledError`. Throwing from a method aborts the
 * driver with that error.
 */

/** How the driver would complete a stage. */
export type StageHandling =
  | 'password' // m.login.password, natively (it has no fallback page in Synapse, docs/matrix-api.md#uia-fallback)
  | 'dummy' // m.login.dummy: nothing to ask
  | 'approval' // m.oauth / org.matrix.cross_signing_reset: open params.url, then poll (docs/matrix-api.md#uia-oauth)
  | 'fallback'; // anything else: the homeserver's fallback page (docs/matrix-api.md#uia-fallback)

export interface UiaFlowOption {
  /** Index into the server's `flows` (after malformed entries were dropped). */
  index: number;
  stages: string[];
  handling: StageHandling[];
}

/** The preflight: what the homeserver offers for this request. */
export interface UiaOffer {
  flows: UiaFlowOption[];
  /** The driver's deterministic choice (password, then dummy, then approval, then fallback); null if none. */
  recommended: number | null;
  completed: string[];
  /** Synapse under MAS adds a human `msg` (docs/matrix-api.md#uia-oauth); untrusted text, show it as text only. */
  message?: string;
}

export interface PasswordAttempt {
  /** 1 for the first prompt, then 2, 3… after each refusal. */
  attempt: number;
  /** The user the password is for (`identifier.user`). */
  userId: string;
  /** Why the previous attempt failed, e.g. "Invalid username or password" (untrusted text). */
  error?: string;
}

/** What the driver is doing, for a status line. `text` is ready to display. */
export type UiaState =
  | { phase: 'sending'; text: string }
  | { phase: 'choosing-flow'; text: string }
  | { phase: 'password'; attempt: number; text: string }
  | { phase: 'fallback'; stage: string; url: string; attempt: number; text: string }
  | { phase: 'approval'; stage: string; url: string; elapsedMs: number; timeoutMs: number; polls: number; text: string }
  | { phase: 'rate-limited'; waitMs: number; text: string }
  | { phase: 'done'; text: string };

export interface UiaPrompter {
  /**
   * Show the offered flows before anything is asked. Resolve with the index of the flow to use
   * (`offer.recommended` to accept the default), or `null` to cancel.
   */
  flowsOffered(offer: UiaOffer): Promise<number | null>;
  /**
   * Ask for the account password. Resolve with it, or `null` to cancel. The string is put in
   * exactly one request and not kept by the driver; do not keep it either.
   */
  askPassword(attempt: PasswordAttempt): Promise<string | null>;
  /**
   * `url` here and in openApproval comes from the homeserver and is untrusted: offer it to the
   * user only if it passes src/core/repair/auth-page.ts (https, on the homeserver's or an
   * advertised origin), and open it only when the user asks.
   *
   * Offer the homeserver's fallback page for `stage` (`m.login.sso`, `m.login.recaptcha`,
   * `m.login.terms`, unknown types). Resolve `true` once the page signalled `authDone` (docs/matrix-api.md#uia-fallback) or
   * the user pressed "Done"; `false` to cancel. The driver then resends the request with
   * `{session}`; if the stage is still not completed the page is offered again (bounded).
   * `over` fires once the driver no longer waits for this page (it found the stage completed by
   * polling, or it stopped): close the page and forget the prompt; the result is then ignored.
   */
  openFallback(url: string, stage: string, over?: AbortSignal): Promise<boolean>;
  /**
   * Offer the account-management page where the user approves a cross-signing reset (docs/matrix-api.md#uia-oauth).
   * Resolve as soon as it is offered: the driver polls by resending the request until the server
   * accepts it, the signal fires, or the time limit passes.
   */
  openApproval(url: string, stage: string): Promise<void>;
  /** A 429 made the driver wait `ms` before retrying. */
  onWaiting(ms: number): void;
  /** Progress, for display. Must not throw (exceptions are ignored). */
  onState(state: UiaState): void;
}
