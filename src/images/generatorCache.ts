import type { Generator } from '../models/runtime/generator';
import { LruCache } from './lruCache';

/**
 * Loaded generator sessions, one per bundle, kept for the next request: loading an ONNX session
 * costs far more than running it on one latent. Concurrent requests for the same bundle share
 * one load; the least recently used session is released once more than `capacity` bundles are
 * loaded, but only after every request still using it has finished.
 */

/** A bundle directory (absolute, resolved) and, when known, the sha256 its files had at registration. */
export interface GeneratorBundle {
  dir: string;
  sha256?: string;
}

interface Entry {
  generator: Promise<Generator>;
  /** Requests between acquiring and finishing with the session. */
  users: number;
  /** Evicted or closed: dispose when the last user is done. */
  retired: boolean;
  disposing: boolean;
  /** Settles once the session has been released. */
  released: Promise<void>;
  markReleased: () => void;
}

export class GeneratorCache {
  private readonly entries: LruCache<string, Entry>;
  private readonly retiring = new Set<Entry>();
  private closed = false;

  constructor(
    private readonly load: (bundle: GeneratorBundle) => Promise<Generator>,
    /** How many generator sessions stay loaded; default 4. */
    readonly capacity = 4,
  ) {
    this.entries = new LruCache<string, Entry>(capacity, () => 1, (entry) => this.retire(entry));
  }

  /** Runs `work` with the bundle's generator, loading it when needed. */
  async use<T>(bundle: GeneratorBundle, work: (generator: Generator) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the generator cache is closed');
    const key = `${bundle.dir}\0${bundle.sha256 ?? ''}`;
    let entry = this.entries.get(key);
    if (!entry) {
      let markReleased!: () => void;
      const released = new Promise<void>((resolve) => (markReleased = resolve));
      const created: Entry = { generator: this.load(bundle), users: 0, retired: false, disposing: false, released, markReleased };
      entry = created;
      // A failed load is forgotten, so the next request tries again (the bundle may have been fixed).
      created.generator.catch(() => {
        if (this.entries.has(key) && this.entries.get(key) === created) this.entries.delete(key);
      });
      this.entries.set(key, created);
    }
    entry.users++;
    try {
      return await work(await entry.generator);
    } finally {
      entry.users--;
      if (entry.retired && entry.users === 0) this.dispose(entry);
    }
  }

  /** Bundle directories loaded or loading, least recently used first. */
  loaded(): string[] {
    return this.entries.keys().map((key) => key.slice(0, key.indexOf('\0')));
  }

  /** Releases every session (those in use once their requests finish) and refuses new requests. */
  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    await Promise.all([...this.retiring].map((entry) => entry.released));
  }

  private retire(entry: Entry): void {
    entry.retired = true;
    this.retiring.add(entry);
    if (entry.users === 0) this.dispose(entry);
  }

  private dispose(entry: Entry): void {
    if (entry.disposing) return;
    entry.disposing = true;
    entry.generator
      .then((generator) => generator.dispose())
      .catch(() => {}) // a failed load has nothing to release
      .finally(() => {
        this.retiring.delete(entry);
        entry.markReleased();
      });
  }
}
