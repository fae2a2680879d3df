/**
 * Test helper, not a test: the core client's fetch answering like Synapse from a fixture's
 * ServerView (src/core/inspect/fixture.test.ts) — the reads an inspection makes — with no socket.
 */
import type { ServerView } from '../inspect/fixture.test.ts';

/** A fetch answering like Synapse from `view` (the reads prepareRepair makes). */
export function fetchFromView(view: ServerView): typeof fetch {
  const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const notFound = { errcode: 'M_NOT_FOUND', error: 'Not found' };
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    const accountData = /^\/_matrix\/client\/v3\/user\/([^/]+)\/account_data\/([^/]+)$/.exec(url.pathname);
    if (method === 'POST' && url.pathname === '/_matrix/client/v3/keys/query') return json(200, view.keysQuery);
    if (method === 'GET' && url.pathname === '/_matrix/client/v3/room_keys/version') return view.backup ? json(200, view.backup) : json(404, notFound);
    if (method === 'GET' && accountData) {
      const type = decodeURIComponent(accountData[2]!);
      return view.accountData.has(type) ? json(200, view.accountData.get(type)) : json(404, notFound);
    }
    return json(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  }) as typeof fetch;
}

