/**
 * Fixture web apps for the session readers: each page is served on its own
 * http://localhost:<port> origin (so storage never mixes; covered by the test build's
 * host_permissions), and its inline script writes the given storage exactly as the real app
 * would, then sets document.title = 'ready'. Formats: docs/web-clients.md.
 *
 * Element's encrypted token is produced IN the page: a non-extractable AES-GCM CryptoKey wraps a
 * random pickle key (createPickleKey), and the token is encrypted with HKDF + AES-CTR + HMAC
 * (encryptAES) — as Element does — so the reader has to decrypt with the page's own CryptoKey.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowOrigin } from './allowed-origins.ts';
import { registerSecret } from './secrets-registry.ts';

type IdbRecords = Record<string, [unknown, unknown][]>;

/** The refresh token every fixture app holds next to its access token. */
const REFRESH_TOKEN = 'refresh-must-never-be-read';
registerSecret('refresh-token', REFRESH_TOKEN, "a web app's refresh token");

/** What a fixture page writes. Everything but `element`/`liveClient` is written verbatim. */
export type PageSpec = {
  localStorage?: Record<string, string>;
  idb?: { name: string; version?: number; autoIncrement?: boolean; stores: IdbRecords }[];
  /** Element IDB `matrix-react-sdk`: pickle key for [userId, deviceId] and the encrypted token. */
  element?: { userId: string; deviceId: string; token: string };
  /** `window.mxMatrixClientPeg` exposing these values, as Element does. */
  liveClient?: { userId: string; deviceId: string; homeserver: string; accessToken: string };
};

// The page script: plain JavaScript written from the storage doc, independent of src/readers.
const PAGE_SCRIPT = String.raw`
const spec = JSON.parse(document.getElementById('spec').textContent);
const subtle = crypto.subtle;
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fixture = (window.__fixture = {});

function putRecords(name, version, stores, autoIncrement) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = () => {
      for (const store of Object.keys(stores)) if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store, autoIncrement ? { autoIncrement: true } : undefined);
    };
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const names = Object.keys(stores);
      if (!names.length) { db.close(); resolve(); return; }
      const tx = db.transaction(names, 'readwrite');
      for (const store of names) for (const [key, value] of stores[store]) tx.objectStore(store).put(value, key);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
}

// matrix-js-sdk encryptAESSecretStorageItem(data, key, name), key = pickleKeyToAesKey(pickleKey).
async function encryptToken(token, pickleKey, name) {
  const pk = new Uint8Array(pickleKey.length);
  for (let i = 0; i < pickleKey.length; i++) pk[i] = pickleKey.charCodeAt(i);
  const hkdf = await subtle.importKey('raw', pk, 'HKDF', false, ['deriveBits']);
  const aesKeyBytes = new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, hkdf, 256));
  const base = await subtle.importKey('raw', aesKeyBytes, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', salt: new Uint8Array(8), info: new TextEncoder().encode(name), hash: 'SHA-256' }, base, 512);
  const aesKey = await subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-CTR' }, false, ['encrypt']);
  const hmacKey = await subtle.importKey('raw', bits.slice(32), { name: 'HMAC', hash: { name: 'SHA-256' } }, false, ['sign']);
  const iv = crypto.getRandomValues(new Uint8Array(16));
  iv[8] &= 0x7f;
  const ciphertext = await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, new TextEncoder().encode(token));
  const mac = await subtle.sign({ name: 'HMAC' }, hmacKey, ciphertext);
  return { iv: b64(iv), ciphertext: b64(new Uint8Array(ciphertext)), mac: b64(new Uint8Array(mac)) };
}

// BasePlatform.createPickleKey + pickling.encryptPickleKey.
async function writeElement({ userId, deviceId, token }) {
  const randomArray = crypto.getRandomValues(new Uint8Array(32));
  const cryptoKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(32));
  const additionalData = new Uint8Array(userId.length + deviceId.length + 1);
  for (let i = 0; i < userId.length; i++) additionalData[i] = userId.charCodeAt(i);
  additionalData[userId.length] = 124;
  for (let i = 0; i < deviceId.length; i++) additionalData[userId.length + i + 1] = deviceId.charCodeAt(i);
  const encrypted = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, cryptoKey, randomArray);
  fixture.pickleKey = b64(randomArray).replace(/=+$/, '');
  await putRecords('matrix-react-sdk', 1, {
    pickleKey: [[[userId, deviceId], { encrypted, iv, cryptoKey }]],
    account: [['mx_access_token', await encryptToken(token, fixture.pickleKey, 'access_token')]],
  });
}

/** Like TokenRefresher.persistTokens: a new token, encrypted with the same pickle key. */
fixture.rotateElementToken = async (token) => {
  await putRecords('matrix-react-sdk', 1, { account: [['mx_access_token', await encryptToken(token, fixture.pickleKey, 'access_token')]] });
  return true;
};

(async () => {
  for (const [k, v] of Object.entries(spec.localStorage || {})) localStorage.setItem(k, v);
  for (const db of spec.idb || []) await putRecords(db.name, db.version || 1, db.stores, db.autoIncrement);
  if (spec.element) await writeElement(spec.element);
  if (spec.liveClient) {
    const c = spec.liveClient;
    const client = { getUserId: () => c.userId, getDeviceId: () => c.deviceId, getHomeserverUrl: () => c.homeserver, getAccessToken: () => c.accessToken, getRefreshToken: () => ${JSON.stringify(REFRESH_TOKEN)} };
    window.mxMatrixClientPeg = { get: () => client };
  }
  document.title = 'ready';
})().catch((e) => { document.title = 'fixture error: ' + e; });
`;

function html(spec: PageSpec): string {
  // JSON in a non-executed script element; "<" escaped so no value can close the element.
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body>
<script type="application/json" id="spec">${json}</script>
<script>${PAGE_SCRIPT}</script></body></html>`;
}

export type WebAppPage = { url: string; origin: string; close(): Promise<void> };

/** Serve one fixture page on a fresh localhost port (its own origin, hence its own storage). */
export async function serveWebApp(spec: PageSpec, opts: { hash?: string } = {}): Promise<WebAppPage> {
  const body = html(spec);
  const server: Server = createServer((req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  // The test opens this page in a tab, as a user opens their web app.
  allowOrigin(origin, 'page');
  return {
    url: `${origin}/${opts.hash ?? ''}`,
    origin,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A logged-in session, as the fixtures need it. */
export type Login = { baseUrl: string; userId: string; deviceId: string; accessToken: string };

export const webApps = {
  /** Element: `mx_*` keys, token in IDB encrypted ('encrypted'), as a plain IDB string ('plain'), or legacy localStorage ('legacy'). */
  element(s: Login, mode: 'encrypted' | 'plain' | 'legacy', extra: { withDeviceId?: boolean; localStorage?: Record<string, string>; liveClient?: Login } = {}): PageSpec {
    const withDeviceId = extra.withDeviceId ?? true;
    const deviceId = withDeviceId ? s.deviceId : '';
    const spec: PageSpec = {
      localStorage: {
        mx_hs_url: s.baseUrl,
        mx_user_id: s.userId,
        mx_is_guest: 'false',
        ...(mode === 'legacy' ? { mx_access_token: s.accessToken } : { mx_has_access_token: 'true' }),
        ...(mode === 'encrypted' ? { mx_has_pickle_key: 'true' } : {}),
        ...(withDeviceId ? { mx_device_id: s.deviceId } : {}),
        ...extra.localStorage,
      },
    };
    if (mode === 'encrypted') spec.element = { userId: s.userId, deviceId, token: s.accessToken };
    if (mode === 'plain') spec.idb = [{ name: 'matrix-react-sdk', stores: { pickleKey: [], account: [['mx_access_token', s.accessToken]] } }];
    if (extra.liveClient) spec.liveClient = { userId: extra.liveClient.userId, deviceId: extra.liveClient.deviceId, homeserver: extra.liveClient.baseUrl, accessToken: extra.liveClient.accessToken };
    return spec;
  },
  cinny(s: Login): PageSpec {
    return { localStorage: { cinny_access_token: s.accessToken, cinny_hs_base_url: s.baseUrl, cinny_user_id: s.userId, cinny_device_id: s.deviceId } };
  },
  /** Sable-style forks: `matrixSessions` JSON array + `matrixActiveSession` = JSON user ID. */
  sable(sessions: Login[], activeUserId?: string): PageSpec {
    const list = sessions.map((s) => ({ baseUrl: s.baseUrl, userId: s.userId, deviceId: s.deviceId, accessToken: s.accessToken, refreshToken: REFRESH_TOKEN }));
    return { localStorage: { matrixSessions: JSON.stringify(list), ...(activeUserId ? { matrixActiveSession: JSON.stringify(activeUserId) } : {}) } };
  },
  /** Hydrogen: `hydrogen_sessions_v1`; ids are the given ones (the URL hash picks one). */
  hydrogen(sessions: (Login & { id: string; lastUsed: number; oldField?: boolean })[]): PageSpec {
    const list = sessions.map((s) => ({
      id: s.id, deviceId: s.deviceId, userId: s.userId, homeServer: s.baseUrl, ...(s.oldField ? {} : { homeserver: s.baseUrl }),
      accessToken: s.accessToken, lastUsed: s.lastUsed, isReadOnly: false,
    }));
    return { localStorage: { hydrogen_sessions_v1: JSON.stringify(list) } };
  },
  /** FluffyChat / Commet web: client list in SharedPreferences, one IndexedDB per client with box_client. */
  flutter(app: 'FluffyChat' | 'Commet', clients: (Login & { name: string })[]): PageSpec {
    const listKey = app === 'FluffyChat' ? 'flutter.im.fluffychat.store.clients' : 'flutter.registered_matrix_clients';
    return {
      localStorage: { [listKey]: JSON.stringify(clients.map((c) => c.name)) },
      idb: clients.map((c) => ({
        name: c.name,
        version: 3,
        autoIncrement: true,
        stores: {
          box_client: [
            ['homeserver_url', c.baseUrl], ['token', c.accessToken], ['token_expires_at', null], ['refresh_token', REFRESH_TOKEN],
            ['user_id', c.userId], ['device_id', c.deviceId], ['device_name', `${app} web`], ['prev_batch', null],
          ],
          box_account_data: [],
        },
      })),
    };
  },
  empty(): PageSpec {
    return {};
  },
};
