/**
 * Choosing a UIA flow and building the URLs a stage needs (docs/matrix-api.md#uia-challenge, docs/matrix-api.md#uia-fallback, docs/matrix-api.md#uia-oauth).
 */
import { isJsonObject, isString, own } from '../matrix/json-guards.ts';
import type { UiaChallenge } from '../matrix/types.ts';
import { normaliseBaseUrl } from '../matrix/url.ts';
import type { StageHandling, UiaFlowOption, UiaOffer } from './uia-prompter.ts';

/** `m.oauth` (spec v1.17, MSC4312) and its unstable name; clients should accept either (docs/matrix-api.md#uia-oauth). */
export const APPROVAL_STAGES: readonly string[] = Object.freeze(['m.oauth', 'org.matrix.cross_signing_reset']);

/** How a stage is handled; everything unknown goes through its fallback page (docs/matrix-api.md#uia-fallback). */
export function stageHandling(stage: string): StageHandling {
  if (stage === 'm.login.password') return 'password';
  if (stage === 'm.login.dummy') return 'dummy';
  if (APPROVAL_STAGES.includes(stage)) return 'approval';
  return 'fallback';
}

const RANK: Readonly<Record<StageHandling, number>> = { password: 0, dummy: 1, approval: 2, fallback: 3 };

/** The stages of `stages` still to do: those after the longest prefix found in `completed`. */
export function remainingStages(stages: readonly string[], completed: readonly string[]): string[] {
  let done = 0;
  while (done < stages.length && completed.includes(stages[done]!)) done += 1;
  return stages.slice(done);
}

/**
 * The preflight offer, with a deterministic recommendation: the flow whose hardest remaining
 * stage ranks best (password < dummy < approval < fallback), then the fewest remaining stages,
 * then the server's order. Flows without stages are not usable and never recommended.
 */
export function buildOffer(challenge: UiaChallenge): UiaOffer {
  const flows: UiaFlowOption[] = challenge.flows.map((flow, index) => ({
    index, stages: [...flow.stages], handling: flow.stages.map(stageHandling),
  }));
  let recommended: number | null = null;
  let best: [number, number] | undefined;
  for (const flow of flows) {
    const remaining = remainingStages(flow.stages, challenge.completed);
    if (flow.stages.length === 0) continue;
    const score: [number, number] = [Math.max(0, ...remaining.map((s) => RANK[stageHandling(s)])), remaining.length];
    if (best === undefined || score[0] < best[0] || (score[0] === best[0] && score[1] < best[1])) {
      best = score;
      recommended = flow.index;
    }
  }
  const offer: UiaOffer = { flows, recommended, completed: [...challenge.completed] };
  const msg = isJsonObject(challenge.raw) ? own(challenge.raw, 'msg') : undefined;
  if (isString(msg) && msg !== '') offer.message = msg.slice(0, 500);
  return offer;
}

/**
 * `<base>/_matrix/client/v3/auth/<type>/fallback/web?session=<session>` (spec §Fallback).
 * @throws {TypeError} On a base URL that is not http(s).
 */
export function fallbackUrl(baseUrl: string, stage: string, session: string): string {
  return `${normaliseBaseUrl(baseUrl)}/_matrix/client/v3/auth/${encodeURIComponent(stage)}/fallback/web?session=${encodeURIComponent(session)}`;
}

/**
 * The approval page of an `m.oauth`-type stage: `params[stage].url` as the homeserver sent it,
 * whatever it holds (`m.oauth_params.yaml` wants `^https?://`, but the homeserver is not trusted):
 * whether it may be opened is decided where it would be opened (auth-page.ts), and a refused URL
 * is shown to the user as text with the reason. Undefined when absent or not a string; the
 * caller then uses the fallback URL, which Synapse redirects to the same page (docs/matrix-api.md#uia-oauth).
 */
export function approvalUrl(challenge: UiaChallenge, stage: string): string | undefined {
  const params = own(challenge.params, stage);
  const url = isJsonObject(params) ? own(params, 'url') : undefined;
  return isString(url) && url !== '' ? url : undefined;
}

/** Two flows are the same flow if they list the same stages. */
export function sameStages(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
