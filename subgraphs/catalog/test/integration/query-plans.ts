import type { Harness } from './catalog.harness';

/** One node of PostgreSQL's JSON plan (the fields the plan tests read). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Every node of the plan PostgreSQL picks for `sql`, flattened. */
export async function explain(h: Harness, sql: string, params: unknown[]): Promise<PlanNode[]> {
  const rows = await h.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${sql}`, params);
  return nodes(rows[0]['QUERY PLAN'][0].Plan);
}
