import { on, type Subscription } from '@storegraph/common';
import { auditRecorded } from './handlers/audit-recorded.handler';

/**
 * Every event users consumes: the audit entries other subgraphs record with their ADMIN
 * changes. Users takes no part in the saga. A subgraph that starts recording (payments)
 * adds its `<owner>.audit.recorded` contract and a line here.
 */
export const usersSubscriptions: Subscription[] = [
  on('catalog.audit.recorded', auditRecorded('catalog')),
  on('orders.audit.recorded', auditRecorded('orders')),
];
