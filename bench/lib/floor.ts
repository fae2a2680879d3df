/**
 * The floor: what any tool must do to answer from the network, done as barely as possible, in an
 * extension page of the same browser — the same 8 requests in the same 2 waves as the core's
 * inspection (bench results.request_waves), `JSON.parse` of each, and WebCrypto Ed25519
 * verification of the same signatures (every device's self-signature under its own key, one key
 * import per device; every device's self-signing-key signature; the self-signing and
 * user-signing keys' master signatures), all in flight at once. No validation, no report.
 */

export type FloorInput = { baseUrl: string; userId: string; accessToken: string };
export type FloorResult = { ms: number; requests: number; signatures: number; valid: number };

/**
 * Runs inside the page (passed to UiPage.evaluate): self-contained, no imports, no closures.
 * Canonical JSON here is the plain form (sorted keys, JSON.stringify's escapes), which is Matrix's
 * for the ASCII objects the bench accounts hold.
 */
export async function floorInPage(input: FloorInput): Promise<FloorResult> {
  const t0 = performance.now();
  const V3 = `${input.baseUrl}/_matrix/client/v3`;
  const user = encodeURIComponent(input.userId);
  const headers = { Authorization: `Bearer ${input.accessToken}` };
  const get = (path: string) => fetch(`${V3}${path}`, { headers }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const accountData = (type: string) => get(`/user/${user}/account_data/${type}`);
  const [query, defaultKey] = await Promise.all([
    fetch(`${V3}/keys/query`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ device_keys: { [input.userId]: [] } }) })
      .then((r) => r.json() as Promise<Record<string, Record<string, Record<string, unknown>>>>),
    accountData('m.secret_storage.default_key'),
    get('/room_keys/version'),
    accountData('m.cross_signing.master'),
    accountData('m.cross_signing.self_signing'),
    accountData('m.cross_signing.user_signing'),
    accountData('m.megolm_backup.v1'),
  ]);
  const keyId = typeof defaultKey['key'] === 'string' ? defaultKey['key'] : 'none';
  await accountData(`m.secret_storage.key.${keyId}`);

  const canonical = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  };
  const bytes = (b64: string) => Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
  const signed = (o: Record<string, unknown>) => {
    const { signatures: _s, unsigned: _u, ...rest } = o;
    return new TextEncoder().encode(canonical(rest));
  };
  const importKey = (b64: string) => crypto.subtle.importKey('raw', bytes(b64), { name: 'Ed25519' }, false, ['verify']);
  const sigOf = (o: Record<string, unknown>, keyId: string): string | undefined =>
    ((o['signatures'] as Record<string, Record<string, string>> | undefined)?.[input.userId])?.[keyId];
  const only = (k: Record<string, unknown> | undefined): [string, string] | undefined => {
    const e = Object.entries((k?.['keys'] ?? {}) as Record<string, string>)[0];
    return e;
  };
  const checks: Promise<boolean>[] = [];
  const verify = (key: Promise<CryptoKey>, o: Record<string, unknown>, keyId: string) => {
    const sig = sigOf(o, keyId);
    if (sig) checks.push(key.then((k) => crypto.subtle.verify({ name: 'Ed25519' }, k, bytes(sig), signed(o))));
  };
  const master = only(query['master_keys']?.[input.userId]);
  const ssk = only(query['self_signing_keys']?.[input.userId]);
  const masterKey = master && importKey(master[1]);
  const sskKey = ssk && importKey(ssk[1]);
  if (masterKey && master) {
    for (const section of ['self_signing_keys', 'user_signing_keys']) {
      const k = query[section]?.[input.userId];
      if (k) verify(masterKey, k, master[0]);
    }
  }
  for (const [deviceId, device] of Object.entries((query['device_keys']?.[input.userId] ?? {}) as Record<string, Record<string, unknown>>)) {
    const own = ((device['keys'] ?? {}) as Record<string, string>)[`ed25519:${deviceId}`];
    if (own) verify(importKey(own), device, `ed25519:${deviceId}`);
    if (sskKey && ssk) verify(sskKey, device, ssk[0]);
  }
  const results = await Promise.all(checks);
  return { ms: performance.now() - t0, requests: 8, signatures: results.length, valid: results.filter(Boolean).length };
}

/**
 * floorInPage as a function the drivers can serialise: tsx (esbuild keepNames) wraps inner
 * functions in `__name(…)`, a helper that does not exist in the page, so a no-op one is
 * defined around it.
 */
export const floorInPageSource = new Function('input', `const __name = (f) => f;\nreturn (${floorInPage.toString()})(input);`) as (input: FloorInput) => Promise<FloorResult>;
