import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from './ids';
import { emit } from './events/outbox';
import type { Payload } from './events/contracts';

/** What an ADMIN mutation tells the audit log about itself. */
export interface AuditChange {
  /** The ADMIN who acted (the caller's user id). */
  actorId: string;
  /** `<thing>.<past-tense verb>`: product.created, stock.adjusted, order.cancelled ... */
  action: string;
  /** The contract's type name of what changed: Product, Category, Order, User, Coupon. */
  targetType: string;
  targetId: string;
  /** The changed thing's fields before the change (null for a creation). */
  before?: Record<string, unknown> | null;
  /** And after it (null for a deletion). */
  after?: Record<string, unknown> | null;
  /** What explains the change but is no field of the target (an adjustment's reason), kept beside before/after. */
  context?: Record<string, unknown>;
}

/** One entry as it travels and is stored: the event payload of `<owner>.audit.recorded`. */
export type AuditEntryData = Payload<'catalog.audit.recorded'>;

/** The subgraphs whose entries reach users' log as events (users writes its own directly). */
export type AuditSource = 'catalog' | 'orders';

/**
 * Builds the entry: its id (UUIDv7, so the combined log is ordered by when the change
 * happened, whichever subgraph made it), its time, and details. When both before and after
 * are given, only the fields whose values differ are kept: the entry says what changed,
 * not everything the row holds.
 */
export function auditEntry(change: AuditChange, now = new Date()): AuditEntryData {
  let before = change.before ?? null;
  let after = change.after ?? null;
  if (before && after) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) => JSON.stringify(before![key]) !== JSON.stringify(after![key]),
    );
    before = Object.fromEntries(keys.map((key) => [key, before![key] ?? null]));
    after = Object.fromEntries(keys.map((key) => [key, after![key] ?? null]));
  }
  return {
    entryId: uuidv7(now.getTime()),
    at: now.toISOString(),
    actorId: change.actorId,
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId,
    details: JSON.stringify({ ...change.context, before, after }),
  };
}

/**
 * The one call an ADMIN mutation makes, inside the transaction of its change: the entry
 * goes into the subgraph's outbox as `<source>.audit.recorded`, so it exists exactly when
 * the change commits (a refused or rolled-back mutation leaves none). The outbox relay
 * publishes it and users adds it to the combined log (inbox: applied once).
 */
export async function recordAudit(tx: EntityManager, source: AuditSource, change: AuditChange): Promise<void> {
  await emit(tx, `${source}.audit.recorded`, auditEntry(change));
}
