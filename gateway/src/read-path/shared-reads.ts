import type { HttpReply } from '@storegraph/common';
import { catalogTags, publicRepresentations, shapeOf, type FetchShape, type PublicSurface } from './public-reads';
import type { ReadCache } from './read-cache';

/** A fetch that may be shared: its key, and whether its answer may be cached. */
export interface SharedRead {
  key: string;
  shape: FetchShape;
  variables: Record<string, unknown> | undefined;
}

interface Flight {
  ticket: number;
  reply: Promise<HttpReply>;
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
    // A fetch that started before a change event may carry the old answer: later callers send their own.
    if (flight && flight.ticket === ticket) {
      this.stats.joined++;
      return flight.reply;
    }
    this.stats.sent++;
    const reply = send().then((answer) => {
      if (cacheable) this.store(read, answer, ticket);
      return answer;
    });
    const own: Flight = { ticket, reply };
    this.inFlight.set(read.key, own);
    const done = () => {
      if (this.inFlight.get(read.key) === own) this.inFlight.delete(read.key);
    };
    reply.then(done, done);
    return reply;
  }

  private store(read: SharedRead, reply: HttpReply, ticket: number): void {
    if (reply.status !== 200) return;
    let body: { data?: unknown; errors?: unknown };
    try {
      body = JSON.parse(reply.body) as typeof body;
    } catch {
      return;
    }
    // Errors (a database hiccup) are never remembered.
    if (body.errors !== undefined || typeof body.data !== 'object' || body.data === null) return;
    const tags = catalogTags(read.shape, body.data as Record<string, unknown>, read.variables);
    if (tags) this.cache!.set(read.key, reply, tags, ticket);
  }
}
