/**
 * A master key for reading aloud: the unpadded base64 public key in groups of four characters.
 * Nothing is dropped or changed, so two people comparing the groups compare the whole key, and
 * the spaces are the only thing to remove to get the key back.
 */

const GROUP = 4;

/** `"abcdEFGH…"` → `"abcd EFGH …"`. */
export function formatFingerprint(publicKey: string): string {
  const groups: string[] = [];
  for (let i = 0; i < publicKey.length; i += GROUP) groups.push(publicKey.slice(i, i + GROUP));
  return groups.join(' ');
}

/**
 * What a person typed or pasted as a master key or fingerprint, back to the key: whitespace
 * removed, nothing else changed (base64 is case-sensitive).
 */
export function fingerprintToKey(text: string): string {
  return text.replace(/\s+/g, '');
}
