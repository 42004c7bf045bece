import type { HttpReply } from '@storegraph/common';

interface Entry {
  reply: HttpReply;
  tags: string[];
  expiresAt: number;
}

/** Past this many remembered invalidations the map is dropped with the whole cache (bounded memory). */
const MAX_REMEMBERED_INVALIDATIONS = 50_000;

/**
 * Public subgraph answers, in this gateway process, by fetch key (subgraph, document,
 * variables); each tagged with the entities it contains. A change event drops every entry
 * of its tags; the TTL is the backstop for an event that never came.
 *
 * A fetch takes a ticket (the invalidation sequence) when it starts and may store its
 * answer only if none of its tags was invalidated since: an answer read before a change
 * and returned after its event must not outlive the event. While invalidations cannot be
 * trusted to arrive (no NATS, not yet subscribed), the cache neither serves nor stores.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly invalidatedAt = new Map<string, number>();
  private flushedAt = 0;
  private seq = 0;
  private active = false;
  readonly stats = { hits: 0, stores: 0, invalidations: 0, flushes: 0 };

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get live(): boolean {
    return this.active;
  }

  ticket(): number {
    return this.seq;
  }

  get(key: string): HttpReply | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits++;
    return entry.reply;
  }

  set(key: string, reply: HttpReply, tags: string[], ticket: number): void {
    if (!this.active || this.flushedAt > ticket) return;
    for (const tag of tags) if ((this.invalidatedAt.get(tag) ?? 0) > ticket) return;
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    this.entries.set(key, { reply, tags, expiresAt: this.now() + this.ttlMs });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    this.stats.stores++;
    while (this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestKey, oldest);
    }
  }

  invalidate(tags: Iterable<string>): void {
    this.seq++;
    this.stats.invalidations++;
    for (const tag of tags) {
      this.invalidatedAt.set(tag, this.seq);
      for (const key of this.byTag.get(tag) ?? []) {
        const entry = this.entries.get(key);
        if (entry) this.remove(key, entry);
      }
    }
    if (this.invalidatedAt.size > MAX_REMEMBERED_INVALIDATIONS) this.flush();
  }

  /** Drops everything; fetches in flight store nothing. */
  flush(): void {
    this.seq++;
    this.flushedAt = this.seq;
    this.stats.flushes++;
    this.entries.clear();
    this.byTag.clear();
    this.invalidatedAt.clear();
  }

  /** On only while change events are known to arrive; either way starts empty. */
  setActive(active: boolean): void {
    this.active = active;
    this.flush();
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
