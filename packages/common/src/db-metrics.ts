import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { Database } from './db';
import { requestScope } from './log-context';
import type { ServiceMetrics } from './metrics';
import { failSpan, tracerOf, tracingEnabled } from './tracing';

interface KnexQuery {
  sql?: string;
  __knexQueryUid?: string;
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/** `select`, `insert`, `with` ...: the statement's first word, a bounded span name. */
function verbOf(text: string | undefined): string {
  const match = /^\s*(\w+)/.exec(text ?? '');
  return match ? match[1].toLowerCase() : 'sql';
}

/**
 * The database seen from outside: SQL statements counted (by request or background work),
 * the pool's connections in use, idle and awaited at scrape time, and with tracing on one
 * client span per statement, child of whatever span sent it (knex emits its `query` event
 * synchronously in the caller's async context). Returns the function that detaches it all.
 */
export function observeDatabase(metrics: ServiceMetrics, database: Database): () => void {
  const knex = database.orm.em.getConnection().getKnex();
  const statements = metrics.counter('storegraph_sql_statements_total', 'SQL statements sent, by what sent them', ['source']);
  const byRequest = statements.labels('request');
  const byBackground = statements.labels('background');
  // Both series exist from the start (0), so a service that serves no request still shows one.
  byRequest.inc(0);
  byBackground.inc(0);
  const connections = metrics.gauge('storegraph_db_pool_connections', 'Database pool connections by state', ['state']);
  const waiting = metrics.gauge('storegraph_db_pool_waiting', 'Callers waiting for a database pool connection');
  const tracer = tracerOf(metrics.service);
  const open = new Map<string, Span>();

  const onQuery = (query: KnexQuery) => {
    (requestScope.active() ? byRequest : byBackground).inc();
    if (!tracingEnabled() || !query.__knexQueryUid || !trace.getSpan(context.active())) return;
    const span = tracer.startSpan(`sql ${verbOf(query.sql)}`, {
      kind: SpanKind.CLIENT,
      // The text only: values travel as parameters and never reach a span.
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': (query.sql ?? '').slice(0, 2000) },
    });
    open.set(query.__knexQueryUid, span);
  };
  const onResponse = (_response: unknown, query: KnexQuery) => {
    if (!query?.__knexQueryUid) return;
    open.get(query.__knexQueryUid)?.end();
    open.delete(query.__knexQueryUid);
  };
  const onError = (err: unknown, query: KnexQuery) => {
    if (!query?.__knexQueryUid) return;
    const span = open.get(query.__knexQueryUid);
    if (!span) return;
    failSpan(span, err);
    span.end();
    open.delete(query.__knexQueryUid);
  };
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  knex.on('query-error', onError);
  const unscrape = metrics.onScrape(() => {
    const pool = (knex.client as { pool?: TarnPool }).pool;
    if (!pool) return;
    connections.inc({ state: 'used' }, pool.numUsed());
    connections.inc({ state: 'idle' }, pool.numFree());
    connections.inc({ state: 'opening' }, pool.numPendingCreates());
    waiting.inc(pool.numPendingAcquires());
  });
  return () => {
    knex.off('query', onQuery);
    knex.off('query-response', onResponse);
    knex.off('query-error', onError);
    unscrape();
    for (const span of open.values()) span.end();
    open.clear();
  };
}
