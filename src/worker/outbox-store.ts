/**
 * IndexedDB persistence for the outbox, so that a page reload (or a crash)
 * loses no queued message.
 *
 * Writes are coalesced: `put` and `delete` only record the latest intent per
 * id, and one transaction per task writes them (`flushDelayMs`, default 0),
 * so a message that is sent and ACKed within the same burst never touches the
 * disk, and a flood costs one transaction per burst, not two per message.
 *
 * Ownership: several tabs of one origin may each run a worker with the same
 * namespace (server + user). Each store instance holds a Web Lock
 * `flare-outbox-owner:<id>` for as long as it lives and stamps its records
 * with that id. `claim()` adopts only records whose owner holds no lock any
 * more (the page was closed or reloaded), so a live tab's messages are never
 * sent twice by another tab.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { emptyMetadata } from '../codec/metadata.ts';
import type { Frame, Metadata } from '../codec/frame-types.ts';
import type { OutboxEntry, OutboxStore } from './outbox.ts';

const STORE = 'entries';
const OWNER_LOCK = 'flare-outbox-owner:';
const CLAIM_LOCK = 'flare-outbox-claim:';

interface Row {
  ns: string;
  id: string;
  owner: string;
  entry: OutboxEntry;
}

/** Options of `IdbOutboxStore.open`. */
export interface IdbOutboxStoreOptions {
  /** Database name (default 'flare-outbox'). */
  dbName?: string;
  /** Delay before a batch of writes is flushed (default 0: the next task). */
  flushDelayMs?: number;
  /** Receives write failures (default console.error); the outbox keeps working in memory. */
  onError?: (error: FlareError) => void;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  });
}

function storageError(what: string, cause: unknown): FlareError {
  return new FlareError(ErrorCode.INTERNAL, `outbox storage: ${what} failed`, { cause });
}

/** Structured clone turns null-prototype metadata into plain objects; make them null-prototype again. */
function reviveMeta(meta: Metadata): Metadata {
  return Object.assign(emptyMetadata(), meta);
}
function reviveFrame(frame: Frame): Frame {
  const command = frame.command;
  if (command) (command.value as { metadata: Metadata }).metadata = reviveMeta(command.value.metadata);
  return { ...frame, metadata: reviveMeta(frame.metadata) };
}

/** The outbox's IndexedDB store for one namespace. */
export class IdbOutboxStore implements OutboxStore {
  readonly namespace: string;
  readonly ownerId: string;
  readonly #db: IDBDatabase;
  readonly #flushDelayMs: number;
  readonly #onError: (error: FlareError) => void;
  readonly #releaseOwner: () => void;
  /** id -> entry to write, or null to delete. */
  #pending = new Map<string, OutboxEntry | null>();
  #flushing: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  private constructor(namespace: string, db: IDBDatabase, ownerId: string, release: () => void, options: IdbOutboxStoreOptions) {
    this.namespace = namespace;
    this.#db = db;
    this.ownerId = ownerId;
    this.#releaseOwner = release;
    this.#flushDelayMs = options.flushDelayMs ?? 0;
    this.#onError = options.onError ?? ((e) => console.error(e));
  }

  /** Whether IndexedDB exists here (it does in windows and workers, not in every runtime). */
  static get available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  /** Opens (creating if needed) the database and takes an owner lock for this instance. */
  static async open(namespace: string, options: IdbOutboxStoreOptions = {}): Promise<IdbOutboxStore> {
    if (!IdbOutboxStore.available) throw new FlareError(ErrorCode.UNSUPPORTED, 'IndexedDB is not available');
    const open = indexedDB.open(options.dbName ?? 'flare-outbox', 1);
    open.onupgradeneeded = () => {
      const store = open.result.createObjectStore(STORE, { keyPath: ['ns', 'id'] });
      store.createIndex('ns', 'ns');
    };
    let db: IDBDatabase;
    try {
      db = await request(open);
    } catch (e) {
      throw storageError('open', e);
    }
    const ownerId = crypto.randomUUID();
    let release: () => void = () => {};
    if (typeof navigator !== 'undefined' && navigator.locks) {
      await new Promise<void>((acquired) => {
        void navigator.locks.request(OWNER_LOCK + ownerId, () => {
          acquired();
          return new Promise<void>((r) => (release = r));
        });
      });
    }
    return new IdbOutboxStore(namespace, db, ownerId, release, options);
  }

  put(entry: OutboxEntry): void {
    this.#pending.set(entry.id, entry);
    this.#schedule();
  }

  delete(id: string): void {
    this.#pending.set(id, null);
    this.#schedule();
  }

  /** Writes everything recorded so far; resolves when it is on disk. */
  async flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0 || this.#closed) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const tx = this.#db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const [id, entry] of batch) {
      if (entry === null) store.delete([this.namespace, id]);
      else store.put({ ns: this.namespace, id, owner: this.ownerId, entry } satisfies Row);
    }
    this.#flushing = done(tx).catch((e) => this.#onError(storageError('write', e)));
    await this.#flushing;
    this.#flushing = null;
  }

  /**
   * Adopts the namespace's records whose owner is gone (no owner lock held)
   * and returns their entries, oldest first. Records of live owners are left
   * alone. Without Web Locks every record not stamped by this instance is
   * adopted.
   */
  async claim(): Promise<OutboxEntry[]> {
    const run = async (): Promise<OutboxEntry[]> => {
      const held = new Set<string>();
      if (typeof navigator !== 'undefined' && navigator.locks) {
        const snapshot = await navigator.locks.query();
        for (const lock of snapshot.held ?? []) if (lock.name?.startsWith(OWNER_LOCK)) held.add(lock.name.slice(OWNER_LOCK.length));
      }
      const tx = this.#db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const rows = (await request(store.index('ns').getAll(this.namespace))) as Row[];
      const adopted: OutboxEntry[] = [];
      for (const row of rows) {
        if (row.owner === this.ownerId || held.has(row.owner)) continue;
        store.put({ ...row, owner: this.ownerId });
        adopted.push({ ...row.entry, frame: reviveFrame(row.entry.frame) });
      }
      await done(tx);
      return adopted.sort((a, b) => a.queuedAt - b.queuedAt || a.order - b.order);
    };
    try {
      if (typeof navigator !== 'undefined' && navigator.locks) {
        return await navigator.locks.request(CLAIM_LOCK + this.namespace, run);
      }
      return await run();
    } catch (e) {
      throw storageError('claim', e);
    }
  }

  /** Flushes, closes the database and releases the owner lock (its records become claimable). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#db.close();
    this.#releaseOwner();
  }

  /** Deletes a database (tests, "log out and forget"). */
  static async destroy(dbName = 'flare-outbox'): Promise<void> {
    await request(indexedDB.deleteDatabase(dbName));
  }

  #schedule(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.#flushDelayMs);
  }
}
