// Words for states the popup shows in more than one place: one mapping each, so the devices
// table, the sign form and the repair panel never name one state two ways.
import type { DeviceReport } from '../core/inspect/report-types.ts';
import { stageHandling } from '../core/repair/uia-flows.ts';

export type CrossSigned = DeviceReport['crossSigned'];

/** A device's cross-signing state (DeviceReport.crossSigned), in words. */
export const CROSS_SIGNED_WORDS: Readonly<Record<CrossSigned, string>> = {
  valid: 'cross-signed',
  invalid: 'cross-signature does not verify',
  absent: 'not cross-signed',
  'old-key': 'signed by a replaced self-signing key',
};

/** What each stage asks of the person, by how it is handled (docs/matrix-api.md#uia-oauth). */
const HOW: Readonly<Record<ReturnType<typeof stageHandling>, string>> = {
  password: 'with your password',
  dummy: 'without asking you anything',
  approval: 'by approving it in your account settings',
  fallback: 'on a page of the homeserver',
};

/** The ways a flow (stages joined by " → ", as in RepairFlowView.authOffer) asks, in words. */
function flowInWords(flow: string): string {
  const ways = [...new Set(flow.split(' → ').map((stage) => HOW[stageHandling(stage.trim())]))];
  return ways.join(', then ');
}

/**
 * The homeserver's answer to a request that needs confirming, said once: how this extension will
 * confirm it, and the other ways only when there are others. `flows`/`chosen` as in
 * RepairFlowView.authOffer.
 */
export function authOfferText(offer: { flows: string[]; chosen: string | null }): string {
  if (offer.chosen === null) {
    return offer.flows.length === 0
      ? 'The homeserver asks to confirm this request but offers no way to do it.'
      : `The homeserver asks to confirm this request in a way this extension cannot complete (it offers: ${offer.flows.join(' | ')}).`;
  }
  const others = offer.flows.filter((f) => f !== offer.chosen);
  const main = `The homeserver asks to confirm this request ${flowInWords(offer.chosen)}.`;
  return others.length === 0 ? main : `${main} It also offers: ${others.join(' | ')}.`;
}

/**
 * The line under a step that may need confirming (`uia`). Before the homeserver has answered, it
 * is not known whether it asks for the password or for an approval in the account settings
 * (servers that use OAuth), so the line names neither alone; once it has, it names the one used.
 */
export function stepAuthHint(offer: { chosen: string | null } | undefined): string {
  if (offer === undefined) return 'The homeserver may ask you to confirm this step: with your password, or by approving it in your account settings if it signs you in through OAuth.';
  if (offer.chosen === null) return 'The homeserver asks to confirm this step in a way this extension cannot complete.';
  return `The homeserver asks to confirm this step ${flowInWords(offer.chosen)}.`;
}
