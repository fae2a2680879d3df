import { CROSS_SIGNED_STATES, crossSignedWords, type CrossSigned } from './words.ts';

/** What a device filter looks at: its ID, its name and its cross-signing state. */
export type FilterableDevice = { deviceId: string; displayName: string | null; crossSigned: CrossSigned };

/**
 * Does the device match what was typed? Case-insensitive, on the device ID, the display name, the
 * state's code ("old-key") or its words in the UI language ("not cross-signed"); several words must all match.
 */
export function deviceMatches(filter: string, d: FilterableDevice): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const own = crossSignedWords(d.crossSigned).toLowerCase();
  const haystack = [d.deviceId, d.displayName ?? '', d.crossSigned, own].join('\n').toLowerCase();
  // "not cross-signed" typed whole matches that state's words, not every "cross-signed" device.
  const typed = filter.trim().toLowerCase();
  const state = CROSS_SIGNED_STATES.find((s) => crossSignedWords(s).toLowerCase() === typed);
  if (state !== undefined) return d.crossSigned === state;
  return words.every((w) => haystack.includes(w));
}
