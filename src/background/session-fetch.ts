/**
 * The fetch a tab session's client uses: after a 401 M_UNKNOWN_TOKEN it asks for the token the
 * web app holds now and, when that is a different one, replays the request once with it. The
 * rejected request was never executed by the homeserver, so replaying it is safe. Pure (the
 * re-read is injected), so it is unit-tested in Node.
 */

async function isUnknownToken(res: Response): Promise<boolean> {
  if (res.status !== 401) return false;
  // A 401 without a JSON body (a proxy, say) is not the homeserver's M_UNKNOWN_TOKEN.
  const body: unknown = await res.clone().json().catch(() => null);
  return typeof body === 'object' && body !== null && (body as { errcode?: unknown }).errcode === 'M_UNKNOWN_TOKEN';
}

/** @param reread resolves to the token the web app holds now (or rejects); called only after M_UNKNOWN_TOKEN. */
export function retryOnUnknownToken(baseFetch: typeof fetch, reread: () => Promise<string>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const res = await baseFetch(input, init);
    if (!(await isUnknownToken(res))) return res;
    const sent = new Headers(init?.headers).get('Authorization');
    // Only requests that carried a token are retried, and only with a different one.
    if (sent === null) return res;
    let next: string;
    try {
      next = await reread();
    } catch {
      // The tab is gone or unreadable: the caller gets the homeserver's own 401.
      return res;
    }
    if (`Bearer ${next}` === sent) return res;
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${next}`);
    return baseFetch(input, { ...init, headers });
  }) as typeof fetch;
}
