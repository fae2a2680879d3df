/**
 * The rule for an export file's passphrase, alone in its module so the popup can check what is
 * typed without bundling the encryption (which runs in the background), nor the whole catalogue of
 * sentences (src/core/words/core-messages.ts): it says its two from its area's file.
 */
import { EXPORT_PASSPHRASE_MESSAGES } from '../words/recovery-plan-messages.ts';

/** The shortest passphrase accepted when writing an encrypted export (the popup and the CLI say so). */
export const MIN_EXPORT_PASSPHRASE_LENGTH = 10;

/** Why a passphrase cannot protect a new export file, or null when it can. Lengths count code points. */
export function exportPassphraseProblem(passphrase: string, confirmation?: string): string | null {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_EXPORT_PASSPHRASE_LENGTH) {
    // As say('core_rp_passphrase_too_short', …) would, without say()'s import of the whole catalogue.
    return EXPORT_PASSPHRASE_MESSAGES['core_rp_passphrase_too_short'].replace('$1', String(MIN_EXPORT_PASSPHRASE_LENGTH));
  }
  if (confirmation !== undefined && confirmation !== passphrase) return EXPORT_PASSPHRASE_MESSAGES['core_rp_passphrases_differ'];
  return null;
}
