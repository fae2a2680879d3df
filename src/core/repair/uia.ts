/**
 * A User-Interactive Authentication driver for ONE request (spec §User-Interactive
 * Authentication API; docs/matrix-api.md#uia).
 *
 * Invariants:
 * - `send(auth)` must resend the FULL original body plus `auth` (build it with {@link withAuth}).
 *   For `device_signing/upload` a continuation with only `{auth}` uploads nothing (docs/matrix-api.md#synapse-upload-uia point 2),
 *   and a body that changed between attempts is a different request.
 * - The first call goes out without `auth`; it IS the preflight. If it succeeds nothing is asked
 *   (no UIA for a first upload, or an identical re-upload, docs/matrix-api.md#synapse-upload-uia).
 * - The password is only ever in a local variable and the one `auth` object of one attempt.
 * - Every loop is bounded: password prompts, fallback openings, rounds, 429 waits, approval time.
 */
import { ConnectionError, UiaRequiredError } from '../matrix/errors.ts';
import type { AuthenticationData, UiaChallenge } from '../matrix/types.ts';
import { RepairCancelledError, UiaFailedError } from './errors.ts';
import { APPROVAL_STAGES, approvalUrl, buildOffer, fallbackUrl, remainingStages, sameStages, stageHandling } from './uia-flows.ts';
import type { UiaPrompter, UiaState } from './uia-prompter.ts';
import { say } from '../words/say.ts';
import {
  asCancellation, createRateLimiter, DEFAULT_RATE_LIMIT, isRateLimited, sleep as realSleep, throwIfAborted,
  untilAborted, type RateLimitPolicy, type Sleep,
} from './wait.ts';

export interface UiaOptions {
  /** Homeserver base URL, for fallback pages. */
  baseUrl: string;
  /** The account's user ID, sent as `identifier: {type: 'm.id.user', user}` (docs/matrix-api.md#uia-continue). */
  userId: string;
  /** Cancels the whole exchange: the driver rejects with RepairCancelledError. */
  signal?: AbortSignal;
  /** Approval polling interval (default 2 000 ms). */
  pollIntervalMs?: number;
  /** Give up waiting for an approval after this long (default 600 000 ms). */
  approvalTimeoutMs?: number;
  /**
   * While a fallback page is open, also resend the request with `{session}` this often (off by
   * default), for as long as `approvalTimeoutMs`. docs/matrix-api.md#uia-fallback-polling: the page's
   * authDone may never arrive (the extension opens the page without an opener), and a
   * session-only retry carries no stage attempt, so it cannot fail the stage.
   */
  fallbackPollMs?: number;
  /** Password prompts, the first included (default 5). */
  maxPasswordAttempts?: number;
  /** Fallback page openings per request (default 3). */
  maxFallbackAttempts?: number;
  /** 401 challenges handled per request, approval polls excluded (default 20). */
  maxRounds?: number;
  rateLimit?: Partial<RateLimitPolicy>;
  /** Injectable for tests. */
  sleep?: Sleep;
  now?: () => number;
}

/** The request body with `auth` appended (last, so the rest serialises byte-identically). */
export function withAuth<B extends object>(body: B, auth: AuthenticationData | undefined): B & { auth?: AuthenticationData } {
  return auth === undefined ? body : { ...body, auth };
}

/** Consecutive connection failures tolerated while polling for an approval. */
const MAX_POLL_BLIPS = 3;

type Attempt<T> = { ok: true; value: T } | { ok: false; challenge: UiaChallenge };

function positive(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`${field} must be a positive number`);
  return v;
}

/**
 * Send one request, completing UIA as the server asks.
 *
 * @param send - Sends the request with the given `auth` (none on the first call); rejects with
 *   the client's errors (UiaRequiredError for a 401 challenge, MatrixApiError for 429…).
 * @returns What `send` resolved with once the server accepted the request.
 * @throws {RepairCancelledError} The signal fired, or the user declined a prompt.
 * @throws {UiaFailedError} No usable flow, limits reached, approval not given in time.
 * @throws {MatrixApiError|ConnectionError} Any other failure of `send`, unchanged (a 429 only
 *   once the rate-limit policy gives up).
 */
export async function runWithUia<T>(
  send: (auth?: AuthenticationData) => Promise<T>, ui: UiaPrompter, opts: UiaOptions,
): Promise<T> {
  const signal = opts.signal;
  const doSleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  const pollMs = positive(opts.pollIntervalMs, 2_000, 'pollIntervalMs');
  const timeoutMs = positive(opts.approvalTimeoutMs, 600_000, 'approvalTimeoutMs');
  const fallbackPollMs = opts.fallbackPollMs === undefined ? undefined : positive(opts.fallbackPollMs, 1, 'fallbackPollMs');
  const max = {
    password: positive(opts.maxPasswordAttempts, 5, 'maxPasswordAttempts'),
    fallback: positive(opts.maxFallbackAttempts, 3, 'maxFallbackAttempts'),
    rounds: positive(opts.maxRounds, 20, 'maxRounds'),
  };
  const report = (state: UiaState): void => {
    try { ui.onState(state); } catch { /* display only: a broken status line must not stop the repair */ }
  };
  const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, ...opts.rateLimit }, (ms) => {
    report({ phase: 'rate-limited', waitMs: ms, text: say('core_eng_uia_rate_limited', Math.ceil(ms / 1000)) });
    try { ui.onWaiting(ms); } catch { /* display only */ }
  }, signal, doSleep);

  const attempt = async (auth?: AuthenticationData): Promise<Attempt<T>> => {
    for (;;) {
      throwIfAborted(signal);
      try {
        return { ok: true, value: await send(auth) };
      } catch (error) {
        const e = asCancellation(error, signal);
        if (e instanceof UiaRequiredError) return { ok: false, challenge: e.challenge };
        if (!isRateLimited(e)) throw e;
        await limiter.wait(e); // then retry in place, same auth
      }
    }
  };

  const chooseFlow = async (challenge: UiaChallenge, current: string[] | undefined): Promise<string[]> => {
    if (current !== undefined && challenge.flows.some((f) => sameStages(f.stages, current))) return current;
    const offer = buildOffer(challenge);
    if (offer.recommended === null) throw new UiaFailedError('no-supported-flow', say('core_eng_uia_no_flow'));
    report({ phase: 'choosing-flow', text: say('core_eng_uia_choosing_flow') });
    const choice = await untilAborted(ui.flowsOffered(offer), signal);
    if (choice === null) throw new RepairCancelledError('flow-declined', say('core_eng_uia_cancelled'));
    const flow = offer.flows.find((f) => f.index === choice);
    if (flow === undefined || flow.stages.length === 0) throw new UiaFailedError('no-supported-flow', say('core_eng_uia_flow_not_offered', String(choice)));
    return flow.stages;
  };

  const awaitApproval = async (stage: string, url: string, session: string | undefined): Promise<Attempt<T>> => {
    await untilAborted(ui.openApproval(url, stage), signal);
    const started = now();
    let blips = 0;
    for (let polls = 0; ; ) {
      const elapsedMs = now() - started;
      if (elapsedMs >= timeoutMs) {
        throw new UiaFailedError('approval-timeout', say('core_eng_uia_approval_timeout', Math.round(timeoutMs / 1000)));
      }
      report({ phase: 'approval', stage, url, elapsedMs, timeoutMs, polls, text: say('core_eng_uia_approval_waiting') });
      await doSleep(Math.min(pollMs, timeoutMs - elapsedMs), signal);
      polls += 1;
      // docs/matrix-api.md#uia-oauth: Synapse under MAS only checks its grace window; the spec wants `{session}`.
      let next: Attempt<T>;
      try {
        next = await attempt(session === undefined ? undefined : { session });
      } catch (error) {
        // A minutes-long wait should survive a network blip; resending is safe (identical body).
        if (!(error instanceof ConnectionError) || error.kind === 'aborted' || ++blips > MAX_POLL_BLIPS) throw error;
        continue;
      }
      blips = 0;
      if (next.ok) return next;
      const waiting = next.challenge.flows.some((f) =>
        APPROVAL_STAGES.includes(remainingStages(f.stages, next.challenge.completed)[0] ?? ''));
      if (!waiting) return next; // the server now asks for something else: the main loop decides
      session = next.challenge.session ?? session;
    }
  };

  /**
   * Wait for the fallback page (authDone or "Done"), polling with `{session}` meanwhile if asked
   * to. Never two requests at once: a poll is only sent between waits. `stop` tells the UI the
   * page is no longer needed when a poll found the stage completed.
   */
  const awaitFallback = async (stage: string, url: string, session: string, flowStages: string[]): Promise<Attempt<T>> => {
    const stop = new AbortController();
    const page = untilAborted(ui.openFallback(url, stage, stop.signal), signal).then((done) => ({ done }));
    // Handled here too: it may reject (cancel) while a poll is in flight, before it is awaited.
    page.catch(() => { /* awaited below, or abandoned once a poll found the answer */ });
    try {
      const started = now();
      while (fallbackPollMs !== undefined && now() - started < timeoutMs) {
        const tick = new AbortController();
        const timer = doSleep(fallbackPollMs, tick.signal).then(() => 'tick' as const, () => 'tick' as const);
        const first = await Promise.race([page, timer]);
        tick.abort();
        if (first !== 'tick') break;
        throwIfAborted(signal);
        const next = await attempt({ session });
        if (next.ok || remainingStages(flowStages, next.challenge.completed)[0] !== stage) return next;
      }
      const { done } = await page;
      if (done !== true) throw new RepairCancelledError('fallback-declined', say('core_eng_uia_cancelled'));
      return await attempt({ session }); // docs/matrix-api.md#uia-fallback: "an auth dict with just the session ID"
    } finally {
      stop.abort();
    }
  };

  report({ phase: 'sending', text: say('core_eng_uia_sending') });
  let result = await attempt(undefined);
  let flow: string[] | undefined;
  let session: string | undefined;
  let previousStage: string | undefined;
  const count = { rounds: 0, password: 0, fallback: 0 };
  while (!result.ok) {
    const challenge = result.challenge;
    session = challenge.session ?? session;
    if (++count.rounds > max.rounds) throw new UiaFailedError('too-many-attempts', say('core_eng_uia_too_many_rounds'));
    flow = await chooseFlow(challenge, flow);
    const stage = remainingStages(flow, challenge.completed)[0];
    if (stage === undefined) {
      throw new UiaFailedError('too-many-attempts', say('core_eng_uia_stages_exhausted'));
    }
    const refused = previousStage === stage && challenge.errcode !== undefined ? (challenge.error ?? challenge.errcode) : undefined;
    previousStage = stage;
    const withSession = session === undefined ? {} : { session };

    switch (stageHandling(stage)) {
      case 'password': {
        if (++count.password > max.password) throw new UiaFailedError('too-many-attempts', say('core_eng_uia_too_many_passwords'));
        report({ phase: 'password', attempt: count.password, text: refused === undefined ? say('core_eng_uia_enter_password') : say('core_eng_uia_password_refused') });
        const password = await untilAborted(
          ui.askPassword({ attempt: count.password, userId: opts.userId, ...(refused === undefined ? {} : { error: refused }) }), signal);
        if (password === null) throw new RepairCancelledError('password-declined', say('core_eng_uia_cancelled'));
        if (typeof password !== 'string') throw new TypeError('askPassword must resolve with a string or null');
        result = await attempt({ type: stage, identifier: { type: 'm.id.user', user: opts.userId }, password, ...withSession });
        break;
      }
      case 'dummy':
        result = await attempt({ type: stage, ...withSession });
        break;
      case 'fallback': {
        if (session === undefined) throw new UiaFailedError('no-session', say('core_eng_uia_stage_no_session', stage));
        if (++count.fallback > max.fallback) throw new UiaFailedError('too-many-attempts', say('core_eng_uia_stage_not_completed', stage));
        const url = fallbackUrl(opts.baseUrl, stage, session);
        report({ phase: 'fallback', stage, url, attempt: count.fallback, text: say('core_eng_uia_fallback_prompt') });
        result = await awaitFallback(stage, url, session, flow);
        break;
      }
      case 'approval': {
        const url = approvalUrl(challenge, stage) ?? (session === undefined ? undefined : fallbackUrl(opts.baseUrl, stage, session));
        if (url === undefined) throw new UiaFailedError('bad-params', say('core_eng_uia_stage_no_url', stage));
        result = await awaitApproval(stage, url, session);
        break;
      }
    }
  }
  report({ phase: 'done', text: 'Done' });
  return result.value;
}
