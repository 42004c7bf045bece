import type { HttpReply } from '@storegraph/common';
import type { ShownProduct } from './public-reads';

/** A subgraph's answer as the cache keeps it: its text, and the parsed answer with the objects that show each product's stock. */
export interface CachedAnswer {
  reply: HttpReply;
  /** The parsed body; `reply.body` is its text. */
  body: unknown;
  /** Per product id, the objects of `body` that select its `stock`. */
  stockShown: Map<string, Array<Record<string, unknown>>>;
}

interface Entry {
  answer: CachedAnswer;
  /** `answer.reply.body` predates a stock change written into `answer.body`: serialized again on the next hit. */
  patched: boolean;
  tags: string[];
  expiresAt: number;
}

/** Past this many remembered changes the memory of them is dropped with the whole cache (bounded memory). */
const MAX_REMEMBERED_CHANGES = 50_000;

/** The objects of an answer that show a product's stock (no alias can stand for `stock`: aliased fetches are not cached). */
export function stockShownIn(products: ShownProduct[]): Map<string, Array<Record<string, unknown>>> {
  const shown = new Map<string, Array<Record<string, unknown>>>();
  for (const { id, node } of products) {
    if (!node || !Object.hasOwn(node, 'stock')) continue;
    const nodes = shown.get(id);
    if (nodes) nodes.push(node);
    else shown.set(id, [node]);
  }
  return shown;
}

/**
 * Public subgraph answers, in this gateway process, by fetch key (subgraph, document,
 * variables); each tagged with the entities it contains. A change event drops every entry
 * of its tags, except a change of stock alone, which is written into the entries that
 * show those products (a reservation changes stock; dropping every page holding the
 * product on each one would empty the cache under a store's checkout traffic). The TTL is
 * the backstop for an event that never came.
 *
 * A fetch takes a ticket (the change sequence) when it starts. It may store its answer
 * only if none of its tags was invalidated since, and the stock changes announced since
 * are written into its answer first (catchUp): an answer read before a change and
 * returned after its event must not outlive the event. While changes cannot be trusted to
 * arrive (no NATS, not yet subscribed), the cache neither serves nor stores.
 *
 * Stock changes carry catalog's sequence; one older than the last change seen of its
 * product (the outbox may publish an event twice, late) is ignored, and one that cannot
 * be placed (the memory of sequences was dropped) drops the product's entries instead.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly invalidatedAt = new Map<string, number>();
  /** The newest stock of each product changed since the last flush, and the ticket of its change. */
  private readonly stockOf = new Map<string, { stock: number; at: number }>();
  /** Catalog's sequence of the newest change seen of each product. */
  private readonly sequenceOf = new Map<string, number>();
  /** Sequences at or below this are of changes whose product's sequence is no longer remembered. */
  private sequenceFloor = 0;
  private flushedAt = 0;
  private invalidationSeq = 0;
  private stockSeq = 0;
  private seq = 0;
  private active = false;
  readonly stats = { hits: 0, stores: 0, invalidations: 0, flushes: 0, stockChanges: 0 };

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

  /** True when an entry or a flush was dropped after `ticket`: a fetch begun before may carry what was dropped. */
  invalidatedSince(ticket: number): boolean {
    return this.invalidationSeq > ticket;
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
    if (entry.patched) {
      entry.answer.reply = { ...entry.answer.reply, body: JSON.stringify(entry.answer.body) };
      entry.patched = false;
    }
    return entry.answer.reply;
  }

  /**
   * Writes the stock changes announced after `ticket` into an answer fetched with it; its
   * `reply` is then serialized again. True when anything changed.
   */
  catchUp(answer: CachedAnswer, ticket: number): boolean {
    if (this.stockSeq <= ticket) return false;
    let changed = false;
    for (const [id, nodes] of answer.stockShown) {
      const latest = this.stockOf.get(id);
      if (!latest || latest.at <= ticket) continue;
      for (const node of nodes) {
        if (node.stock !== latest.stock) changed = true;
        node.stock = latest.stock;
      }
    }
    if (changed) answer.reply = { ...answer.reply, body: JSON.stringify(answer.body) };
    return changed;
  }

  set(key: string, answer: CachedAnswer, tags: string[], ticket: number): void {
    if (!this.active || this.flushedAt > ticket) return;
    for (const tag of tags) if ((this.invalidatedAt.get(tag) ?? 0) > ticket) return;
    this.catchUp(answer, ticket);
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    // An answer that shows no stock is never written into: its text is all it needs to keep.
    const kept = answer.stockShown.size > 0 ? answer : { reply: answer.reply, body: undefined, stockShown: answer.stockShown };
    this.entries.set(key, { answer: kept, patched: false, tags, expiresAt: this.now() + this.ttlMs });
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

  /** Drops every entry of these tags; `sequence` (catalog's, when known) is that of the change of the product tags. */
  invalidate(tags: Iterable<string>, sequence?: number): void {
    this.seq++;
    this.invalidationSeq = this.seq;
    this.stats.invalidations++;
    for (const tag of tags) {
      this.invalidatedAt.set(tag, this.seq);
      this.stockOf.delete(tag);
      if (sequence !== undefined && sequence > (this.sequenceOf.get(tag) ?? this.sequenceFloor)) this.sequenceOf.set(tag, sequence);
      for (const key of this.byTag.get(tag) ?? []) {
        const entry = this.entries.get(key);
        if (entry) this.remove(key, entry);
      }
    }
    this.bound();
  }

  /** Products' new stock (`stock[i]` of `productIds[i]`), from a change of nothing else, as `sequence` of catalog's changes. */
  changeStock(productIds: string[], stock: number[], sequence: number): void {
    const unplaced: string[] = [];
    this.seq++;
    this.stockSeq = this.seq;
    this.stats.stockChanges++;
    productIds.forEach((id, i) => {
      const known = this.sequenceOf.get(id);
      if (known === undefined && sequence <= this.sequenceFloor) return void unplaced.push(id);
      if (known !== undefined && sequence <= known) return; // a newer change of it is in already
      this.sequenceOf.set(id, sequence);
      this.stockOf.set(id, { stock: stock[i], at: this.seq });
      for (const key of this.byTag.get(id) ?? []) {
        const entry = this.entries.get(key);
        for (const node of entry?.answer.stockShown.get(id) ?? []) {
          node.stock = stock[i];
          entry!.patched = true;
        }
      }
    });
    if (unplaced.length > 0) this.invalidate(unplaced);
    else this.bound();
  }

  /** Drops everything; fetches in flight store nothing. */
  flush(): void {
    this.seq++;
    this.flushedAt = this.seq;
    this.invalidationSeq = this.seq;
    this.stats.flushes++;
    this.entries.clear();
    this.byTag.clear();
    this.invalidatedAt.clear();
    this.stockOf.clear();
  }

  /** On only while change events are known to arrive; either way starts empty. */
  setActive(active: boolean): void {
    this.active = active;
    this.flush();
  }

  private bound(): void {
    if (this.invalidatedAt.size + this.stockOf.size > MAX_REMEMBERED_CHANGES) this.flush();
    if (this.sequenceOf.size > MAX_REMEMBERED_CHANGES) {
      for (const sequence of this.sequenceOf.values()) this.sequenceFloor = Math.max(this.sequenceFloor, sequence);
      this.sequenceOf.clear();
    }
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
