/**
 * The background's door to a homeserver: the core client with the runtime's fetch injected.
 * fetch must be called unbound from the global, or browsers throw "Illegal invocation".
 */
import { createMatrixClient } from '../core/matrix/client.ts';

export function clientFor(homeserver: string, accessToken: string) {
  return createMatrixClient({ baseUrl: homeserver, accessToken, fetch: (input, init) => fetch(input, init) });
}
