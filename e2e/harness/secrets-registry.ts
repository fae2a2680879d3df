// Every secret the e2e harness creates or a test types into the UI, kept in-process so the leak
// watch can look for it in extension storage, in the browser's requests and in console output.
// One registry per test process: node --test runs each test file in its own process.

/**
 * What a secret is decides where it may appear:
 * - access-token: storage.session is allowed (the worker's custody, by design), and requests to
 *   its own homeserver;
 * - password: requests to its own homeserver (login and UIA), nothing at rest;
 * - recovery-key / private-key / refresh-token: never at rest and never on the wire (the
 *   extension has no use for a web app's refresh token and must not even read it).
 */
export type SecretKind = 'access-token' | 'password' | 'recovery-key' | 'private-key' | 'refresh-token';

export type RegisteredSecret = {
  kind: SecretKind;
  /** The exact string to look for (a recovery key is registered with and without spaces). */
  value: string;
  /** Where it came from, for the failure message — never the value itself. */
  label: string;
  /** The homeserver base URL the secret belongs to (tokens and passwords). */
  homeserver?: string;
};

const registry = new Map<string, RegisteredSecret>();

// Shorter strings would match by accident (and no real secret is that short).
const MIN_LENGTH = 8;

/** Register a secret; the same value registered twice keeps its first entry. */
export function registerSecret(kind: SecretKind, value: string, label: string, homeserver?: string): void {
  if (typeof value !== 'string' || value.length < MIN_LENGTH) return;
  const forms = kind === 'recovery-key' ? [value, value.replace(/\s+/g, '')] : [value];
  for (const form of forms) {
    if (!registry.has(form)) registry.set(form, { kind, value: form, label, ...(homeserver === undefined ? {} : { homeserver }) });
  }
}

/** Raw key bytes, registered in the encodings the product and the wire use (unpadded base64, hex). */
export function registerPrivateKey(bytes: Uint8Array, label: string): void {
  const buf = Buffer.from(bytes);
  registerSecret('private-key', buf.toString('base64').replace(/=+$/, ''), label);
  registerSecret('private-key', buf.toString('base64url').replace(/=+$/, ''), `${label} (base64url)`);
  registerSecret('private-key', buf.toString('hex'), `${label} (hex)`);
}

export function registeredSecrets(): RegisteredSecret[] {
  return [...registry.values()];
}

/** The registered secrets found in `text`, each at most once. */
export function secretsIn(text: string, kinds?: readonly SecretKind[]): RegisteredSecret[] {
  const found: RegisteredSecret[] = [];
  for (const s of registry.values()) {
    if (kinds && !kinds.includes(s.kind)) continue;
    if (text.includes(s.value)) found.push(s);
  }
  return found;
}

/** A label plus a non-reversible hint of the value, safe to print in a failure message. */
export function describeSecret(s: RegisteredSecret): string {
  return `${s.kind} "${s.label}" (${s.value.slice(0, 4)}…, ${s.value.length} chars)`;
}
