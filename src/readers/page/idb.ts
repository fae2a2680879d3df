/**
 * Read-only IndexedDB access for the page side. The web app owns these databases, so the reader
 * must never create one (docs/web-clients.md#idb-read-only: an empty `matrix-react-sdk` created by us breaks
 * Element), never write, and close every connection at once.
 */

const TIMEOUT_MS = 5_000;

function request<T>(req: IDBRequest<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out`)), TIMEOUT_MS);
    req.onsuccess = () => {
      clearTimeout(timer);
      resolve(req.result);
    };
    req.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${req.error?.name ?? 'error'}`));
    };
  });
}

/** Does the database exist? `undefined` when the browser cannot list databases. */
export async function databaseExists(factory: IDBFactory, name: string): Promise<boolean | undefined> {
  if (typeof factory.databases !== 'function') return undefined;
  const list = await factory.databases();
  return list.some((d) => d.name === name);
}

/**
 * Open an existing database without a version (never an upgrade), or return null when it does
 * not exist. As a second line of defence the open aborts its own versionchange transaction: a
 * database that only our open would create is rolled back, not left behind.
 */
export async function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  const exists = await databaseExists(factory, name);
  if (exists === false) return null;
  return new Promise<IDBDatabase | null>((resolve, reject) => {
    let created = false;
    const timer = setTimeout(() => reject(new Error(`open ${name}: timed out`)), TIMEOUT_MS);
    const req = factory.open(name);
    req.onupgradeneeded = () => {
      created = true;
      req.transaction?.abort();
    };
    req.onsuccess = () => {
      clearTimeout(timer);
      const db = req.result;
      if (created) {
        // Should not happen after abort(); close and report "absent" all the same.
        db.close();
        resolve(null);
        return;
      }
      // Let the app upgrade its schema while we are (briefly) connected.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = (event) => {
      clearTimeout(timer);
      if (created) {
        // The aborted creation: the database did not exist. Keep the error from reaching window.onerror.
        event.preventDefault();
        resolve(null);
      } else reject(new Error(`open ${name}: ${req.error?.name ?? 'error'}`));
    };
    req.onblocked = () => {
      clearTimeout(timer);
      reject(new Error(`open ${name}: blocked`));
    };
  });
}

/** Get several keys of one object store in one read-only transaction. Missing store → {}. */
export async function getValues(db: IDBDatabase, store: string, keys: readonly IDBValidKey[]): Promise<unknown[] | null> {
  if (!db.objectStoreNames.contains(store)) return null;
  const os = db.transaction(store, 'readonly').objectStore(store);
  return Promise.all(keys.map((k) => request(os.get(k), `${db.name}/${store}`)));
}

/** Open, read, and close — the connection never outlives the read. */
export async function readStore(factory: IDBFactory, dbName: string, store: string, keys: readonly IDBValidKey[]): Promise<{ exists: boolean; values: unknown[] | null }> {
  const db = await openExisting(factory, dbName);
  if (!db) return { exists: false, values: null };
  try {
    return { exists: true, values: await getValues(db, store, keys) };
  } finally {
    db.close();
  }
}
