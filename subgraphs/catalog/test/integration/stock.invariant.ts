import type { Harness } from './catalog.harness';

/**
 * The books of one product balance: every unit it started with is available, held by a
 * live reservation, or sold, and the `reserved` column equals what the HELD reservations
 * hold. Restocked (cancelled after sale) units count as on hand again.
 */
export async function expectStockInvariant(h: Harness, productId: string, startOnHand: number): Promise<void> {
  const [row] = await h.sql<{ on_hand: number; reserved: number; held: number; sold: number }>(
    `select p.on_hand, p.reserved,
            coalesce(sum(i.quantity) filter (where r.status = 'HELD'), 0)::int as held,
            coalesce(sum(i.quantity) filter (where r.status = 'SOLD'), 0)::int as sold
       from products p
       left join reservation_items i on i.product_id = p.id
       left join reservations r on r.order_id = i.order_id
      where p.id = ?
      group by p.id`,
    [productId],
  );
  const available = row.on_hand - row.reserved;
  expect({ available: available >= 0, reserved: row.reserved, total: available + row.reserved + row.sold }).toEqual({
    available: true,
    reserved: row.held,
    total: startOnHand,
  });
}
