/**
 * The page side of the tab read: runs inside the web app's tab (bundled into
 * readers/page-reader.js and injected with scripting.executeScript) and returns a JSON dump of the
 * storage values that make up sessions. It only reads: no writes, no globals, no database created,
 * every connection closed. The platform is passed in, so Node tests can run it with fakes.
 */
import { decryptElementToken } from './element-token.ts';
import { FLUTTER_LISTS, parseClientList } from './flutter-clients.ts';
import { readStore } from './idb.ts';
import { withoutRefreshTokens } from '../parse/sanitize.ts';
import { FLUTTER_KEYS, READ_KEYS, type ElementDump, type FlutterDbDump, type PageDump } from '../parse/types.ts';

export interface PageEnv {
  localStorage: Pick<Storage, 'getItem'> | undefined;
  indexedDB: IDBFactory | undefined;
  /** `crypto.subtle`, absent on insecure origins. */
  subtle: SubtleCrypto | undefined;
  href: string;
  isSecureContext: boolean;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 200);

function readLocalStorage(env: PageEnv, notes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!env.localStorage) {
    notes.push('localStorage is not available');
    return out;
  }
  for (const key of READ_KEYS) {
    let value: string | null;
    try {
      value = env.localStorage.getItem(key);
    } catch (e) {
      notes.push(`localStorage ${key}: ${errorText(e)}`);
      continue;
    }
    if (value === null) continue;
    out[key] = key === 'matrixSessions' ? withoutRefreshTokens(value) : value;
  }
  return out;
}

async function readElement(env: PageEnv, storage: Record<string, string>, notes: string[]): Promise<ElementDump | null> {
  const userId = storage.mx_user_id;
  // No user: Element is signed out (or not here); its database is none of our business.
  if (userId === undefined) return null;
  // Element looks the pickle key up with deviceId "" when mx_device_id is absent (docs/web-clients.md#element-token step 1).
  const deviceId = storage.mx_device_id ?? '';
  let stored: unknown;
  let pickleKey: unknown;
  let idb = false;
  if (env.indexedDB) {
    try {
      const read = await readStore(env.indexedDB, 'matrix-react-sdk', 'account', ['mx_access_token']);
      idb = read.exists;
      stored = read.values?.[0];
      if (stored !== undefined && typeof stored !== 'string') {
        pickleKey = (await readStore(env.indexedDB, 'matrix-react-sdk', 'pickleKey', [[userId, deviceId]])).values?.[0];
      }
    } catch (e) {
      return { idb, from: null, token: { kind: 'error', code: 'idb-error', message: `IndexedDB matrix-react-sdk: ${errorText(e)}` } };
    }
  } else notes.push('indexedDB is not available');
  // Legacy: before Jan 2021, or when the IDB write failed (docs/web-clients.md#element-local-storage, docs/web-clients.md#element-history).
  let from: ElementDump['from'] = stored === undefined || stored === null ? null : 'idb';
  if (from === null && storage.mx_access_token !== undefined) {
    stored = storage.mx_access_token;
    from = 'localStorage';
  }
  const token = await decryptElementToken(env.subtle, { stored, pickleKey, userId, deviceId });
  return { idb, from, token };
}

function primitive(value: unknown): string | number | boolean | null {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

async function readFlutter(env: PageEnv, storage: Record<string, string>, notes: string[]): Promise<FlutterDbDump[]> {
  const out: FlutterDbDump[] = [];
  for (const { key, app } of FLUTTER_LISTS) {
    const list = parseClientList(storage[key]);
    if (!list.ok) {
      notes.push(`${key} ${list.error}`);
      continue;
    }
    for (const db of list.names) {
      const dump: FlutterDbDump = { app, db, exists: false, values: {} };
      out.push(dump);
      if (!env.indexedDB) continue;
      try {
        const read = await readStore(env.indexedDB, db, 'box_client', FLUTTER_KEYS);
        dump.exists = read.exists;
        if (read.exists && !read.values) dump.error = 'the database has no box_client store';
        read.values?.forEach((v, i) => {
          if (v !== undefined) dump.values[FLUTTER_KEYS[i]!] = primitive(v);
        });
      } catch (e) {
        dump.error = errorText(e);
      }
    }
  }
  return out;
}

/** Read everything session-related from the page. Never throws; trouble goes into `notes`. */
export async function collectPageDump(env: PageEnv): Promise<PageDump> {
  const notes: string[] = [];
  const storage = readLocalStorage(env, notes);
  let element: ElementDump | null = null;
  let flutter: FlutterDbDump[] = [];
  try {
    element = await readElement(env, storage, notes);
  } catch (e) {
    notes.push(`Element: ${errorText(e)}`);
  }
  try {
    flutter = await readFlutter(env, storage, notes);
  } catch (e) {
    notes.push(`Flutter clients: ${errorText(e)}`);
  }
  return { v: 1, href: env.href, secureContext: env.isSecureContext, webCrypto: env.subtle !== undefined, storage, element, flutter, notes };
}
