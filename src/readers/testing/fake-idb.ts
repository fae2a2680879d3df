/**
 * Test-only: just enough of IndexedDB (databases, open without version, read-only get) to run the
 * page-side reader in Node. Records whether anything was ever created or written.
 */
type Store = Map<string, unknown>;
export type FakeDbs = Record<string, Record<string, [IDBValidKey, unknown][]>>;

const keyOf = (k: IDBValidKey) => JSON.stringify(k);

export class FakeIdb {
  readonly dbs = new Map<string, Map<string, Store>>();
  readonly created: string[] = [];
  openConnections = 0;
  listable = true;

  constructor(init: FakeDbs = {}) {
    for (const [name, stores] of Object.entries(init)) {
      this.dbs.set(name, new Map(Object.entries(stores).map(([s, recs]) => [s, new Map(recs.map(([k, v]) => [keyOf(k), v]))])));
    }
  }

  get factory(): IDBFactory {
    const self = this;
    const factory = {
      async databases() {
        return [...self.dbs.keys()].map((name) => ({ name, version: 1 }));
      },
      open(name: string, version?: number) {
        if (version !== undefined) throw new Error('the reader must open without a version');
        const req: Record<string, unknown> & { result?: unknown; error?: unknown; transaction?: unknown } = {};
        setTimeout(() => {
          const db = self.dbs.get(name);
          if (!db) {
            let aborted = false;
            req.transaction = { abort: () => (aborted = true) };
            (req.onupgradeneeded as (() => void) | undefined)?.();
            if (aborted) {
              req.error = { name: 'AbortError' };
              (req.onerror as ((e: { preventDefault(): void }) => void) | undefined)?.({ preventDefault() {} });
              return;
            }
            self.created.push(name);
            self.dbs.set(name, new Map());
          }
          req.result = self.connection(name);
          (req.onsuccess as (() => void) | undefined)?.();
        }, 0);
        return req;
      },
    };
    if (!this.listable) delete (factory as Partial<typeof factory>).databases;
    return factory as unknown as IDBFactory;
  }

  private connection(name: string): IDBDatabase {
    const stores = this.dbs.get(name)!;
    this.openConnections++;
    let open = true;
    return {
      name,
      objectStoreNames: { contains: (s: string) => stores.has(s) },
      close: () => {
        if (open) this.openConnections--;
        open = false;
      },
      transaction: (store: string, mode: string) => {
        if (mode !== 'readonly') throw new Error('the reader must only read');
        return {
          objectStore: () => ({
            get: (key: IDBValidKey) => {
              const req: Record<string, unknown> = {};
              setTimeout(() => {
                req.result = stores.get(store)?.get(keyOf(key));
                (req.onsuccess as () => void)();
              }, 0);
              return req;
            },
          }),
        };
      },
    } as unknown as IDBDatabase;
  }
}

/** A localStorage over a plain object. */
export function fakeStorage(items: Record<string, string>): Pick<Storage, 'getItem'> {
  return { getItem: (k: string) => (Object.hasOwn(items, k) ? items[k]! : null) };
}
