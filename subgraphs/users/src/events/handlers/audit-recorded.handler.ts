import type { EventHandler } from '@storegraph/common';
import { storeAuditEntry } from '../../services/audit-log.service';

/** Another subgraph's ADMIN action joins the combined log (the inbox makes it once). */
export const auditRecorded =
  (source: 'catalog' | 'orders'): EventHandler<'catalog.audit.recorded' | 'orders.audit.recorded'> =>
  (tx, event) =>
    storeAuditEntry(tx, source, event.data);
