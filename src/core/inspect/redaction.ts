/**
 * The one redaction rule for encrypted secrets, shared by the diagnostic bundle and the repair
 * previews (CLI and popup). A secret's `ciphertext` and `mac` (client-server API §Secret storage,
 * `m.secret_storage.v1.aes-hmac-sha2`) are replaced by `"[redacted: N characters]"`: with them and
 * the key description's key check, a weak passphrase could be brute-forced offline. The `iv`, the
 * key IDs and the structure are kept, so a preview still shows what is written where.
 */
import { isJsonObject } from '../result.ts';
import { own } from './check-helpers.ts';

/** The placeholder: says how long the value was, nothing else. */
export function redactText(value: unknown): string {
  return `[redacted: ${typeof value === 'string' ? value.length : 0} characters]`;
}

/** Replace `obj[key]` if it is an own string member (defineProperty: safe for any key). */
export function redactMember(obj: unknown, key: string): void {
  if (!isJsonObject(obj) || typeof own(obj, key) !== 'string') return;
  Object.defineProperty(obj, key, { value: redactText(obj[key]), enumerable: true, writable: true, configurable: true });
}

/**
 * Redact, in place, the `ciphertext` and `mac` of every entry of a secret's account data
 * content (`{ encrypted: { <key ID>: { iv, ciphertext, mac } } }`). Anything else is left alone.
 */
export function redactEncryptedSecret(content: unknown): void {
  const encrypted = own(content, 'encrypted');
  if (!isJsonObject(encrypted)) return;
  for (const entry of Object.values(encrypted)) {
    redactMember(entry, 'ciphertext');
    redactMember(entry, 'mac');
  }
}

/** Secrets at any depth: a kept-aside copy nests the content (`{ secret, content: { encrypted } }`). */
function redactNested(value: unknown, depth: number): void {
  if (depth > 32 || typeof value !== 'object' || value === null) return;
  if (!Array.isArray(value)) redactEncryptedSecret(value);
  for (const child of Object.values(value)) redactNested(child, depth + 1);
}

/**
 * A request body as a preview may show it: a deep copy, with the ciphertext and MAC of every
 * `encrypted` map at any depth redacted: new secrets (`{ encrypted }`) and the copies kept aside
 * under `dev.xsign-doctor.previous.*` / `dev.xsign-doctor.unpublished.*`
 * (`{ secret, content: { encrypted } }`) alike.
 */
export function redactedRequestBody(body: unknown): unknown {
  if (body === undefined) return body;
  const copy = JSON.parse(JSON.stringify(body)) as unknown;
  redactNested(copy, 0);
  return copy;
}
