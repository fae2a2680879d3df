/**
 * Running a RepairPlan: the steps in order, each sent exactly as previewed, with UIA for the
 * key upload and the sign-out of a session, and 429s honoured everywhere. After every step the caller gets a new
 * RepairProgress to persist; re-running the plan with it resumes after the completed steps.
 * A step whose answer was lost within a run is simply sent again: every request is idempotent,
 * and an identical key upload returns 200 without UIA in Synapse (docs/matrix-api.md#synapse-upload-uia).
 * When resuming (`resumed`), the first step not in the progress may have been sent by the earlier
 * run: the server is asked whether it holds that write (step-applied.ts) before anything is sent,
 * so an upload that went through is not sent again and asks for no password or approval.
 */
import type { MatrixClient } from '../matrix/client.ts';
import { parseSignaturesUploadResponse } from '../matrix/parse.ts';
import { PlanMismatchError } from './errors.ts';
import { stepApplied } from './step-applied.ts';
import { finishPlan, startProgress, type RepairPlan, type RepairProgress, type RepairStep, type SignatureFailure, type StepResult } from './plans.ts';
import { runWithUia, withAuth, type UiaOptions } from './uia.ts';
import type { UiaPrompter } from './uia-prompter.ts';
import { asCancellation, createRateLimiter, DEFAULT_RATE_LIMIT, isRateLimited, sleep, throwIfAborted } from './wait.ts';
import { say } from '../words/say.ts';

/**
 * "Nothing lost" across a restart: the run that stored this upload's private halves is gone, and
 * in between another client may have written secret storage (say, its own reset). Publish only
 * while every secret this upload `requires` is still on the server exactly as this plan wrote it.
 * @throws {PlanMismatchError} Naming the secret that changed; nothing is sent.
 */
async function assertStillStored(client: RepairClient, plan: RepairPlan, step: RepairStep, signal: AbortSignal | undefined): Promise<void> {
  for (const id of step.requires) {
    const stored = plan.steps.find((s) => s.id === id);
    if (stored === undefined || stored.kind !== 'put-secret') continue;
    const still = await stepApplied(client, plan, stored, signal).catch((e: unknown) => { throw asCancellation(e, signal); });
    if (!still) {
      throw new PlanMismatchError(say('core_eng_execute_secret_changed', stored.title));
    }
  }
}

/** The part of the Matrix client the executor needs (a MatrixClient is one). */
export type RepairClient = Pick<MatrixClient, 'baseUrl' | 'request'>;

export interface StepEvent {
  stepId: string;
  index: number;
  total: number;
  phase: 'start' | 'done' | 'skipped';
}

export interface ExecuteContext {
  client: RepairClient;
  ui: UiaPrompter;
  /** Progress of an earlier run of this plan, to resume. */
  progress?: RepairProgress;
  /**
   * An earlier run stopped without an answer for the step after `progress` (it may have been
   * sent): ask the server whether that step is already applied before sending it.
   */
  resumed?: boolean;
  /** Awaited after every completed step with the new progress: persist it here. */
  onProgress?: (progress: RepairProgress) => void | Promise<void>;
  onStep?: (event: StepEvent) => void;
  signal?: AbortSignal;
  /** UIA tuning; `baseUrl`, `userId` and `signal` come from the client, plan and context. */
  uia?: Omit<UiaOptions, 'baseUrl' | 'userId' | 'signal'>;
  now?: () => Date;
}

export interface RepairOutcome {
  progress: RepairProgress;
  /** Signatures the server rejected (per device), from every step. */
  failures: SignatureFailure[];
}

/** Does the plan still hash to its ID (not edited since it was built and shown)? */
export function planIntact(plan: RepairPlan): boolean {
  const { format: _f, version: _v, id: _id, ...fields } = plan;
  try {
    return finishPlan(fields).id === plan.id;
  } catch {
    // No canonical form: it was not built by finishPlan.
    return false;
  }
}

function flattenFailures(failures: Record<string, Record<string, { errcode: string; error?: string; message?: string; status?: number }>>): SignatureFailure[] {
  return Object.entries(failures).flatMap(([userId, perKey]) => Object.entries(perKey).map(([keyId, f]) => {
    const failure: SignatureFailure = { userId, keyId, errcode: f.errcode };
    const message = f.message ?? f.error; // Synapse puts the text in `message` (docs/matrix-api.md#signatures-upload)
    if (message !== undefined) failure.message = message;
    if (f.status !== undefined) failure.status = f.status;
    return failure;
  }));
}

/**
 * Run (or resume) a plan.
 *
 * @returns The final progress (finished) and the per-device signature failures.
 * @throws {PlanMismatchError} The plan was altered, or the progress belongs to another plan.
 * @throws {RepairCancelledError|UiaFailedError|MatrixApiError|ConnectionError} From a step; the
 *   progress passed to `onProgress` so far is accurate, so the plan can be resumed.
 */
export async function executePlan(plan: RepairPlan, ctx: ExecuteContext): Promise<RepairOutcome> {
  if (!planIntact(plan)) throw new PlanMismatchError(say('core_eng_execute_plan_changed'));
  const now = ctx.now ?? (() => new Date());
  let progress = ctx.progress ?? startProgress(plan, now());
  if (progress.planId !== plan.id || !Array.isArray(progress.completedStepIds)) {
    throw new PlanMismatchError(say('core_eng_execute_other_plan'));
  }
  const { client, ui, signal } = ctx;

  const sendPlain = async (step: RepairStep): Promise<unknown> => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, ...ctx.uia?.rateLimit }, (ms) => {
      try { ui.onWaiting(ms); } catch { /* display only */ }
    }, signal, ctx.uia?.sleep ?? sleep);
    for (;;) {
      throwIfAborted(signal);
      try {
        const opts = { body: step.request.body, ...(signal === undefined ? {} : { signal }) };
        return step.kind === 'upload-signatures'
          ? await client.request(step.request.method, step.request.segments, { ...opts, parse: parseSignaturesUploadResponse })
          : await client.request(step.request.method, step.request.segments, opts);
      } catch (error) {
        const e = asCancellation(error, signal);
        if (!isRateLimited(e)) throw e;
        await limiter.wait(e);
      }
    }
  };

  const failures: SignatureFailure[] = Object.values(progress.results)
    .flatMap((r) => (r.status === 'done-with-failures' ? r.failures : []));
  let uncertain = ctx.resumed === true;
  for (const [index, step] of plan.steps.entries()) {
    const event = { stepId: step.id, index, total: plan.steps.length };
    if (progress.completedStepIds.includes(step.id)) {
      ctx.onStep?.({ ...event, phase: 'skipped' });
      continue;
    }
    // "Nothing lost" (plans.ts): never upload keys before their private halves are stored.
    const missing = step.requires.filter((id) => !progress.completedStepIds.includes(id));
    if (missing.length > 0) throw new PlanMismatchError(`Step ${step.id} needs ${missing.join(', ')} first`);
    throwIfAborted(signal);
    ctx.onStep?.({ ...event, phase: 'start' });

    let result: StepResult = { status: 'done' };
    const applied = uncertain && await stepApplied(client, plan, step, signal).catch((e: unknown) => { throw asCancellation(e, signal); });
    uncertain = false;
    if (applied) {
      // Sent by the earlier run and applied: nothing to send (per-device signature failures of
      // that lost answer are unknown; the status re-read after the flow shows what is signed).
    } else if (step.uia) {
      // A key upload, or a sign-out (DELETE /devices/{deviceId}): UIA as the server asks.
      if (ctx.resumed === true) await assertStillStored(client, plan, step, signal);
      const body = step.request.body;
      await runWithUia(
        (auth) => client.request(step.request.method, step.request.segments, { body: withAuth(body, auth), ...(signal === undefined ? {} : { signal }) }),
        ui, { ...ctx.uia, baseUrl: client.baseUrl, userId: plan.userId, ...(signal === undefined ? {} : { signal }) });
    } else {
      // A new backup version depends on the backup key it stored: still there as written?
      if (ctx.resumed === true && step.kind === 'create-backup-version') await assertStillStored(client, plan, step, signal);
      const answer = await sendPlain(step);
      if (step.kind === 'upload-signatures') {
        const rejected = flattenFailures((answer as { failures: Parameters<typeof flattenFailures>[0] }).failures);
        if (rejected.length > 0) result = { status: 'done-with-failures', failures: rejected };
        failures.push(...rejected);
      }
    }

    const completedStepIds = [...progress.completedStepIds, step.id];
    progress = {
      ...progress, completedStepIds, results: { ...progress.results, [step.id]: result },
      finished: plan.steps.every((s) => completedStepIds.includes(s.id)), updatedAt: now().toISOString(),
    };
    await ctx.onProgress?.(progress);
    ctx.onStep?.({ ...event, phase: 'done' });
  }
  return { progress, failures };
}
