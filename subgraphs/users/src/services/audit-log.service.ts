import type { EntityManager } from '@mikro-orm/postgresql';
import {
  auditEntry,
  badInput,
  decodeCursor,
  isUuid,
  toPage,
  validateFirst,
  type AuditChange,
  type AuditEntryData,
  type Page,
} from '@storegraph/common';
import { AuditEntry } from '../types/audit-entry.types';

/** Where an entry was recorded: users itself, or the subgraph whose event brought it. */
export type AuditEntrySource = 'users' | 'catalog' | 'orders';

export interface AuditFilterData {
  action?: string | null;
  actorId?: string | null;
  targetId?: string | null;
}

const FILTER_TEXT_MAX = 200;

/**
 * Adds one entry to the combined log, in the caller's transaction: users' own ADMIN
 * mutations call it with their change, the audit events' handler with what another
 * subgraph recorded. The id is the entry's own (made where the change happened), so a
 * replayed event cannot add it twice.
 */
export async function storeAuditEntry(tx: EntityManager, source: AuditEntrySource, entry: AuditEntryData): Promise<void> {
  await tx.execute(
    `insert into audit_entries (id, at, source, actor_id, action, target_type, target_id, details)
     values (?, ?, ?, ?, ?, ?, ?, ?::jsonb) on conflict (id) do nothing`,
    [entry.entryId, entry.at, source, entry.actorId, entry.action, entry.targetType, entry.targetId, entry.details],
  );
}

/** Users' own ADMIN mutations: the entry goes straight into the log, in the change's transaction. */
export function recordUserAudit(tx: EntityManager, change: AuditChange): Promise<void> {
  return storeAuditEntry(tx, 'users', auditEntry(change));
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  details: unknown;
}

/**
 * Query.auditLog: newest first (ids are UUIDv7 made when the change happened), keyset
 * pages on the primary key; each filter has an index (column, id), so a filtered page is
 * an index range scan too.
 */
export class AuditLogService {
  async list(em: EntityManager, first: number, after: string | null | undefined, filter: AuditFilterData | null | undefined): Promise<Page<AuditEntry>> {
    validateFirst(first);
    const { page, count } = auditListStatements(filter, after != null ? decodeCursor(after) : null, first + 1);
    const [rows, [{ n }]] = await Promise.all([
      em.execute<AuditRow[]>(page.text, page.params),
      em.execute<Array<{ n: string }>>(count.text, count.params),
    ]);
    return toPage(rows.map(toEntry), first, Number(n));
  }
}

interface Statement {
  text: string;
  params: unknown[];
}

/** The page and the count of Query.auditLog (exported for the plan test, which explains these very statements). */
export function auditListStatements(
  filter: AuditFilterData | null | undefined,
  afterId: string | null,
  limit: number,
): { page: Statement; count: Statement } {
  const where: string[] = [];
  const params: unknown[] = [];
  const action = filterText(filter?.action, 'action');
  if (action !== null) {
    where.push('action = ?');
    params.push(action);
  }
  if (filter?.actorId != null) {
    if (!isUuid(filter.actorId)) throw badInput('filter.actorId is not a user id', 'filter.actorId');
    where.push('actor_id = ?');
    params.push(filter.actorId.toLowerCase());
  }
  const targetId = filterText(filter?.targetId, 'targetId');
  if (targetId !== null) {
    where.push('target_id = ?');
    params.push(targetId);
  }
  const filtered = where.length > 0 ? `where ${where.join(' and ')}` : '';
  const paged = afterId ? `${filtered ? `${filtered} and` : 'where'} id < ?` : filtered;
  return {
    page: {
      text: `select id, at, actor_id, action, target_type, target_id, details from audit_entries ${paged} order by id desc limit ?`,
      params: [...params, ...(afterId ? [afterId] : []), limit],
    },
    count: { text: `select count(*) as n from audit_entries ${filtered}`, params },
  };
}

/** null when absent; a blank or overlong value names nothing and is refused. */
function filterText(value: string | null | undefined, field: string): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (text.length === 0 || text.length > FILTER_TEXT_MAX) {
    throw badInput(`filter.${field} must be 1 to ${FILTER_TEXT_MAX} characters`, `filter.${field}`);
  }
  return text;
}

function toEntry(row: AuditRow): AuditEntry {
  return Object.assign(new AuditEntry(), {
    id: row.id,
    at: new Date(row.at),
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: typeof row.details === 'string' ? row.details : JSON.stringify(row.details),
  });
}
