import { waitFor } from '@storegraph/common/testing';
import type { Stack } from './stack';

/**
 * Waits until users has sent (or given up on) every email these orders owe. Its sender
 * asks orders, catalog and payments about each order it emails: a test that counts a
 * subgraph's statements measures a quiet store after this.
 */
export async function waitForOrderEmails(stack: Stack, orderIds: string[], timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const [{ n }] = await stack.subgraphs.users.database.orm.em
        .fork()
        .execute<Array<{ n: string }>>(`select count(*) as n from email_outbox where status = 'PENDING' and order_id = any(?::uuid[])`, [
          `{${orderIds.join(',')}}`,
        ]);
      return n === '0';
    },
    { what: `the emails of ${orderIds.length} orders sent`, timeoutMs },
  );
}
