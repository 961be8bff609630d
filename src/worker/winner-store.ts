/**
 * The racer's memory of winners, kept in IndexedDB so that the next page
 * load dials the transport that won last time first (racer.ts). Loaded once
 * at start (the racer reads it synchronously), written through on every
 * decision. Where IndexedDB is missing the memory lives in the worker only.
 */
import { createWinnerMemory, type Remembered, type WinnerMemory } from './racer.ts';

const STORE = 'winners';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens the persistent winner memory; falls back to an in-memory one on any storage failure. */
export async function openWinnerMemory(dbName = 'flare-transport'): Promise<WinnerMemory> {
  if (typeof indexedDB === 'undefined') return createWinnerMemory();
  let db: IDBDatabase;
  const map = new Map<string, Remembered>();
  try {
    const open = indexedDB.open(dbName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    db = await request(open);
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    keys.forEach((k, i) => map.set(String(k), values[i] as Remembered));
  } catch {
    return createWinnerMemory();
  }
  return {
    get: (server) => map.get(server),
    set(server, value) {
      map.set(server, value);
      try {
        db.transaction(STORE, 'readwrite').objectStore(STORE).put(value, server);
      } catch {
        // storage gone (quota, private mode): the in-memory copy still serves this page
      }
    },
  };
}
