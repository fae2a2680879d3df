/** Test helper, not a test: a scripted, recording UiaPrompter. Registers no tests. */
import type { PasswordAttempt, UiaOffer, UiaPrompter, UiaState } from './uia-prompter.ts';

export interface RecordingPrompter extends UiaPrompter {
  offers: UiaOffer[];
  passwordAttempts: PasswordAttempt[];
  fallbacks: { url: string; stage: string }[];
  approvals: { url: string; stage: string }[];
  waits: number[];
  states: UiaState[];
}

export interface PrompterScript {
  flowsOffered?: (offer: UiaOffer) => Promise<number | null>;
  /** Answers in order; when exhausted, the last one repeats. */
  passwords?: (string | null)[];
  askPassword?: (attempt: PasswordAttempt) => Promise<string | null>;
  openFallback?: (url: string, stage: string, over?: AbortSignal) => Promise<boolean>;
  openApproval?: (url: string, stage: string) => Promise<void>;
}

export function recordingPrompter(script: PrompterScript = {}): RecordingPrompter {
  const p: RecordingPrompter = {
    offers: [], passwordAttempts: [], fallbacks: [], approvals: [], waits: [], states: [],
    async flowsOffered(offer) {
      p.offers.push(offer);
      return script.flowsOffered ? script.flowsOffered(offer) : offer.recommended;
    },
    async askPassword(attempt) {
      p.passwordAttempts.push(attempt);
      if (script.askPassword) return script.askPassword(attempt);
      const answers = script.passwords ?? [];
      return answers[Math.min(p.passwordAttempts.length, answers.length) - 1] ?? null;
    },
    async openFallback(url, stage, over) {
      p.fallbacks.push({ url, stage });
      return script.openFallback ? script.openFallback(url, stage, over) : true;
    },
    async openApproval(url, stage) {
      p.approvals.push({ url, stage });
      if (script.openApproval) await script.openApproval(url, stage);
    },
    onWaiting(ms) {
      p.waits.push(ms);
    },
    onState(state) {
      p.states.push(state);
    },
  };
  return p;
}
