/**
 * Entry of readers/element-live.js, injected into the page's MAIN world: Element exposes its
 * client as `window.mxMatrixClientPeg`, whose access token is always the current one — what an
 * OIDC session needs, since its stored token rotates every few minutes (docs/web-clients.md#element-oidc).
 * Reads four getters; never the refresh token.
 */
import type { LiveClientDump } from '../parse/types.ts';

type Getter = () => unknown;
type LiveClient = { getUserId?: Getter; getDeviceId?: Getter; getHomeserverUrl?: Getter; getAccessToken?: Getter };

function call(client: LiveClient, name: keyof LiveClient): unknown {
  const fn = client[name];
  if (typeof fn !== 'function') return null;
  try {
    const value = fn.call(client);
    return typeof value === 'string' ? value : null;
  } catch {
    // A half-initialised client; report the value as missing.
    return null;
  }
}

function readLiveClient(): LiveClientDump | null {
  try {
    const peg = (globalThis as { mxMatrixClientPeg?: { get?: () => unknown } }).mxMatrixClientPeg;
    const client = typeof peg?.get === 'function' ? (peg.get() as LiveClient | null) : null;
    if (!client || typeof client !== 'object') return null;
    return {
      userId: call(client, 'getUserId'),
      deviceId: call(client, 'getDeviceId'),
      homeserver: call(client, 'getHomeserverUrl'),
      accessToken: call(client, 'getAccessToken'),
    };
  } catch {
    // The page's globals are the page's: anything odd means "no live client".
    return null;
  }
}

export default Promise.resolve(readLiveClient());
