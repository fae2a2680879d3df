import { CROSS_SIGNED_WORDS, type CrossSigned } from './words.ts';

/** What a device filter looks at: its ID, its name and its cross-signing state. */
export type FilterableDevice = { deviceId: string; displayName: string | null; crossSigned: CrossSigned };

/**
 * Does the device match what was typed? Case-insensitive, on the device ID, the display name, the
 * state's code ("old-key") or its words ("not cross-signed"); several words must all match.
 */
export function deviceMatches(filter: string, d: FilterableDevice): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [d.deviceId, d.displayName ?? '', d.crossSigned, CROSS_SIGNED_WORDS[d.crossSigned]].join('\n').toLowerCase();
  // "not cross-signed" typed whole matches that state's words, not every "cross-signed" device.
  const stateWords = Object.values(CROSS_SIGNED_WORDS).filter((w) => filter.trim().toLowerCase() === w);
  if (stateWords.length > 0) return CROSS_SIGNED_WORDS[d.crossSigned] === stateWords[0];
  return words.every((w) => haystack.includes(w));
}
