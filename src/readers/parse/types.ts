/**
 * Shapes shared by the page side (the bundled reader injected into the web app's tab) and the
 * background side (the pure parsers). The dump is what crosses the executeScript boundary: plain
 * JSON, and only the storage values a session needs — never a refresh token.
 */

/** Web apps whose storage the readers understand. `manual` is a pasted token. */
export type AppName = 'Element' | 'Cinny' | 'Sable' | 'Hydrogen' | 'FluffyChat' | 'Commet';

/** The Element access token as the page side found it (docs/web-clients.md#element-token). */
export type ElementTokenDump =
  | { kind: 'none' }
  | { kind: 'plain'; token: string }
  | { kind: 'decrypted'; token: string }
  | { kind: 'error'; code: ElementTokenErrorCode; message: string };

export type ElementTokenErrorCode =
  | 'no-webcrypto' // encrypted token, but no crypto.subtle (insecure origin)
  | 'no-pickle-key' // encrypted token, but no pickle key for [userId, deviceId]
  | 'bad-pickle-key' // the pickle key does not decrypt (another user/device, or corrupt)
  | 'bad-mac' // HMAC mismatch: wrong key or tampered ciphertext
  | 'malformed' // the stored value has the wrong shape
  | 'idb-error'; // IndexedDB could not be read

export type ElementDump = {
  /** Whether the `matrix-react-sdk` database exists (the reader never creates it). */
  idb: boolean;
  /** Where the stored token was found: IDB `account`, or the legacy localStorage key. */
  from: 'idb' | 'localStorage' | null;
  token: ElementTokenDump;
};

/** The `box_client` values of one Flutter (matrix-dart-sdk) client database. */
export type FlutterDbDump = {
  app: 'FluffyChat' | 'Commet';
  db: string;
  exists: boolean;
  /** Only the keys the session needs; unsupported value types become null. */
  values: Record<string, string | number | boolean | null>;
  error?: string;
};

/** Element's live client, read in the page's MAIN world (`window.mxMatrixClientPeg`). */
export type LiveClientDump = {
  userId: unknown;
  deviceId: unknown;
  homeserver: unknown;
  accessToken: unknown;
};

export type PageDump = {
  v: 1;
  href: string;
  secureContext: boolean;
  webCrypto: boolean;
  /** The localStorage keys of READ_KEYS that exist, as stored (matrixSessions sanitised). */
  storage: Record<string, string>;
  element: ElementDump | null;
  flutter: FlutterDbDump[];
  /** Non-fatal trouble while reading, for diagnostics. Never contains a secret. */
  notes: string[];
};

/** One session found in the page, before the homeserver confirmed it. */
export type SessionCandidate = {
  app: AppName;
  homeserver: string;
  userId: string;
  /** "" when the app did not store it (Element without mx_device_id). */
  deviceId: string;
  accessToken: string;
  /** The session the app itself marks as current (Hydrogen URL hash, Sable active session). */
  active: boolean;
  /** Where the token came from, e.g. `idb-encrypted`, `localStorage`, `live-client`. */
  source: string;
  /** The token rotates (OIDC / refresh tokens): re-read it before each use. */
  rotates: boolean;
  /** Storage says the server already ended this session (Element mx_soft_logout). */
  softLogout: boolean;
};

export type ReadProblem = { app: AppName; code: ReadErrorCode; message: string };

/** Every error kind the popup distinguishes (its `data-code`). */
export type ReadErrorCode =
  | 'not-matrix'
  | 'unreadable-page'
  /** activeTab withdrawn from a web app's tab: the toolbar icon restores it (not a protected page). */
  | 'access-lapsed'
  | 'insecure-origin'
  | 'invalid-token'
  | 'soft-logout'
  | 'no-tab'
  | 'read-failed'
  | 'homeserver-error';

/** Which localStorage keys the page side copies. Refresh tokens are deliberately absent. */
export const READ_KEYS = [
  // Element (docs/web-clients.md#element-local-storage)
  'mx_hs_url', 'mx_user_id', 'mx_device_id', 'mx_is_guest', 'mx_soft_logout', 'mx_has_access_token',
  'mx_has_pickle_key', 'mx_access_token', 'mx_oidc_token_issuer', 'mx_oidc_client_id', 'mx_has_refresh_token',
  // Cinny (docs/web-clients.md#cinny)
  'cinny_access_token', 'cinny_hs_base_url', 'cinny_user_id', 'cinny_device_id',
  // Sable-style forks (docs/web-clients.md#sable)
  'matrixSessions', 'matrixActiveSession',
  // Hydrogen (docs/web-clients.md#hydrogen)
  'hydrogen_sessions_v1',
  // FluffyChat / Commet client lists (docs/web-clients.md#flutter-clients)
  'flutter.im.fluffychat.store.clients', 'flutter.registered_matrix_clients',
] as const;

/** box_client keys read from Flutter databases (never refresh_token). */
export const FLUTTER_KEYS = ['token', 'homeserver_url', 'user_id', 'device_id'] as const;
