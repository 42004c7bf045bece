import type { HttpReply } from '@storegraph/common';
import { catalogEntities, publicRepresentations, shapeOf, type FetchShape, type PublicSurface } from './public-reads';
import { stockShownIn, type CachedAnswer, type ReadCache } from './read-cache';

/** A fetch that may be shared: its key, and whether its answer may be cached. */
export interface SharedRead {
  key: string;
  shape: FetchShape;
  variables: Record<string, unknown> | undefined;
}

interface Flight {
  ticket: number;
  reply: Promise<HttpReply>;
  /** Whether every stock change announced before the answer came is in it. */
  current: Promise<boolean>;
}

/** Distinct fetch documents remembered; the planner makes a bounded set, clients' documents are bounded by this. */
const MAX_SHAPES = 5000;

/**
 * The public reads of one subgraph: identical fetches in flight at the same moment are sent
 * once and their answer handed to every caller (as text: each caller parses its own copy,
 * because Apollo merges into the objects it gets), and, with a cache, answered from it.
 * Shared fetches go out as anonymous: what they return is, by construction, what anyone
 * may see.
 */
export class SharedReads {
  private readonly shapes = new Map<string, FetchShape>();
  private readonly inFlight = new Map<string, Flight>();
  readonly stats = { sent: 0, joined: 0 };

  constructor(
    private readonly subgraph: string,
    private readonly surface: PublicSurface,
    private readonly cache: ReadCache | null,
  ) {}

  /** The fetch as a shared read, or null when its answer may depend on who asks. */
  classify(query: string, variables: Record<string, unknown> | undefined): SharedRead | null {
    let shape = this.shapes.get(query);
    if (!shape) {
      shape = shapeOf(this.surface, query);
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(query, shape);
    }
    if (!shape.rootFields) return null;
    if (shape.rootFields.some((f) => f.name === '_entities') && !publicRepresentations(this.surface, variables)) return null;
    return { key: `${this.subgraph}\n${query}\n${JSON.stringify(variables ?? {})}`, shape, variables };
  }

  serve(read: SharedRead, send: () => Promise<HttpReply>): Promise<HttpReply> {
    const cacheable = read.shape.cacheable && this.cache !== null;
    if (cacheable) {
      const hit = this.cache!.get(read.key);
      if (hit) return Promise.resolve(hit);
    }
    const ticket = this.cache?.ticket() ?? 0;
    const flight = this.inFlight.get(read.key);
    if (flight && flight.ticket === ticket) {
      this.stats.joined++;
      return flight.reply;
    }
    // A fetch that started before a change event may carry the old answer: later callers
    // send their own, unless the changes since were of stock alone, which the answer gets
    // written into when it comes (if it can be: else this caller asks again).
    if (flight && cacheable && !this.cache!.invalidatedSince(flight.ticket)) {
      this.stats.joined++;
      return flight.current.then((current) => (current ? flight.reply : this.serve(read, send)));
    }
    this.stats.sent++;
    let current: (value: boolean) => void = () => undefined;
    const own: Flight = { ticket, reply: null!, current: new Promise<boolean>((r) => (current = r)) };
    // Landed before `current` is told, so that a caller who asks again finds no flight.
    const done = () => {
      if (this.inFlight.get(read.key) === own) this.inFlight.delete(read.key);
    };
    own.reply = send().then(
      (answer) => {
        let settled = { reply: answer, current: false };
        try {
          if (cacheable) settled = this.settle(read, answer, ticket);
        } catch {
          // The answer is still good for those who asked; only the cache went without it.
        } finally {
          done();
          current(settled.current);
        }
        return settled.reply;
      },
      (err: unknown) => {
        done();
        current(false);
        throw err;
      },
    );
    this.inFlight.set(read.key, own);
    return own.reply;
  }

  /**
   * A cacheable answer as it comes: the stock changes announced since its fetch began are
   * written into it, and it is stored. `current` is false when that could not be done (an
   * answer that is not JSON, or whose products cannot all be named).
   */
  private settle(read: SharedRead, reply: HttpReply, ticket: number): { reply: HttpReply; current: boolean } {
    const answer = this.parse(read, reply);
    if (!answer) return { reply, current: false };
    this.cache!.catchUp(answer.cached, ticket);
    // Errors (a database hiccup) are never remembered.
    if (answer.storable) this.cache!.set(read.key, answer.cached, answer.tags, ticket);
    return { reply: answer.cached.reply, current: true };
  }

  private parse(read: SharedRead, reply: HttpReply): { cached: CachedAnswer; tags: string[]; storable: boolean } | null {
    if (reply.status !== 200) return null;
    let body: { data?: unknown; errors?: unknown };
    try {
      body = JSON.parse(reply.body) as typeof body;
    } catch {
      return null;
    }
    if (typeof body.data !== 'object' || body.data === null) return null;
    const entities = catalogEntities(read.shape, body.data as Record<string, unknown>, read.variables);
    if (!entities) return null;
    return {
      cached: { reply, body, stockShown: stockShownIn(entities.products) },
      tags: entities.tags,
      storable: body.errors === undefined,
    };
  }
}
