// Words for states the popup shows in more than one place: one mapping each, so the devices
// table, the sign form and the repair panel never name one state two ways. The words themselves
// are in _locales (docs/design.md#translations).
import type { DeviceReport } from '../core/inspect/report-types.ts';
import { stageHandling } from '../core/repair/uia-flows.ts';
import type { KeyRole } from '../core/roles.ts';
import { t, type MessageId } from './i18n.ts';

export type CrossSigned = DeviceReport['crossSigned'];

const CROSS_SIGNED_IDS: Readonly<Record<CrossSigned, MessageId>> = {
  valid: 'crossSigned_valid',
  invalid: 'crossSigned_invalid',
  absent: 'crossSigned_absent',
  'old-key': 'crossSigned_old_key',
};

/** Every device cross-signing state (DeviceReport.crossSigned). */
export const CROSS_SIGNED_STATES = Object.keys(CROSS_SIGNED_IDS) as readonly CrossSigned[];

/** A device's cross-signing state, in words. */
export const crossSignedWords = (state: CrossSigned): string => t(CROSS_SIGNED_IDS[state]);

const ROLE_LABEL_IDS: Readonly<Record<KeyRole, MessageId>> = { master: 'roleLabel_master', selfSigning: 'roleLabel_selfSigning', userSigning: 'roleLabel_userSigning' };

/** A cross-signing key's name at the start of a line or a heading ("Self-signing key"). */
export const roleLabel = (role: KeyRole): string => t(ROLE_LABEL_IDS[role]);

/** What each stage asks of the person, by how it is handled (docs/matrix-api.md#uia-oauth). */
const HOW: Readonly<Record<ReturnType<typeof stageHandling>, MessageId>> = {
  password: 'how_password',
  dummy: 'how_dummy',
  approval: 'how_approval',
  fallback: 'how_fallback',
};

/** The ways a flow (stages joined by " → ", as in RepairFlowView.authOffer) asks, in words. */
function flowInWords(flow: string): string {
  const ways = [...new Set(flow.split(' → ').map((stage) => HOW[stageHandling(stage.trim())]))].map((id) => t(id));
  return ways.reduce((said, next) => t('howThen', said, next));
}

/**
 * The homeserver's answer to a request that needs confirming, said once: how this extension will
 * confirm it, and the other ways only when there are others. `flows`/`chosen` as in
 * RepairFlowView.authOffer.
 */
export function authOfferText(offer: { flows: string[]; chosen: string | null }): string {
  if (offer.chosen === null) {
    return offer.flows.length === 0 ? t('authNoWay') : t('authCannot', offer.flows.join(' | '));
  }
  const others = offer.flows.filter((f) => f !== offer.chosen);
  const main = t('authHow', flowInWords(offer.chosen));
  return others.length === 0 ? main : t('authAlso', main, others.join(' | '));
}

/**
 * The line under a step that may need confirming (`uia`). Before the homeserver has answered, it
 * is not known whether it asks for the password or for an approval in the account settings
 * (servers that use OAuth), so the line names neither alone; once it has, it names the one used.
 */
export function stepAuthHint(offer: { chosen: string | null } | undefined): string {
  if (offer === undefined) return t('stepMaybe');
  if (offer.chosen === null) return t('stepCannot');
  return t('stepHow', flowInWords(offer.chosen));
}
