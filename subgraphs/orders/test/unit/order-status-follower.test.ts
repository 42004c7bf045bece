import { createLogger } from '@storegraph/common';
import { Order, OrderFailureReason, OrderStatus } from '../../src/entities';
import { OrderStatusFollower } from '../../src/services/order-status-follower';

const { PENDING, RESERVED, CONFIRMED, CANCELLED, FAILED } = OrderStatus;
const logger = createLogger('orders-test', 'error');

function orderWith(statuses: OrderStatus[], failureReason: OrderFailureReason | null = null): Order {
  return Object.assign(new Order(), {
    id: 'order-1',
    status: statuses[statuses.length - 1],
    failureReason,
    statusHistory: statuses.map((status, i) => ({ status, at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString() })),
  });
}

/** A follower whose reads return `stored` as it is at the time of the read. */
function follower(read: () => Order) {
  const loads = { count: 0, released: 0 };
  const f = new OrderStatusFollower(
    'order-1',
    async () => {
      loads.count += 1;
      return read();
    },
    () => {
      loads.released += 1;
    },
    logger,
  );
  return { f, loads };
}

async function drain(f: OrderStatusFollower): Promise<Array<[OrderStatus, OrderStatus[], OrderFailureReason | null]>> {
  const seen: Array<[OrderStatus, OrderStatus[], OrderFailureReason | null]> = [];
  for await (const order of f.output) seen.push([order.status, order.statusHistory.map((e) => e.status), order.failureReason]);
  return seen;
}

describe('OrderStatusFollower', () => {
  it('holds changes heard before the snapshot and drops those the snapshot already shows', async () => {
    let stored = orderWith([PENDING, RESERVED]);
    const { f, loads } = follower(() => stored);
    f.notify(RESERVED); // heard while the snapshot was being read: already in it
    f.start(stored);
    stored = orderWith([PENDING, RESERVED, CANCELLED]);
    f.notify(CANCELLED);
    expect(await drain(f)).toEqual([
      [RESERVED, [PENDING, RESERVED], null],
      [CANCELLED, [PENDING, RESERVED, CANCELLED], null],
    ]);
    expect(loads).toEqual({ count: 1, released: 1 });
  });

  it('two changes read at once still come out as two emissions, and the late event repeats nothing', async () => {
    const { f } = follower(() => orderWith([PENDING, RESERVED, FAILED], OrderFailureReason.PAYMENT_DECLINED));
    f.start(orderWith([PENDING]));
    f.notify(RESERVED);
    f.notify(FAILED);
    expect(await drain(f)).toEqual([
      [PENDING, [PENDING], null],
      [RESERVED, [PENDING, RESERVED], null],
      [FAILED, [PENDING, RESERVED, FAILED], OrderFailureReason.PAYMENT_DECLINED],
    ]);
  });

  it('an event that overtakes its predecessor skips nothing; a CONFIRMED order stays open', async () => {
    const { f } = follower(() => orderWith([PENDING, RESERVED, CONFIRMED]));
    f.start(orderWith([PENDING]));
    f.notify(CONFIRMED);
    f.notify(RESERVED);
    const seen: OrderStatus[] = [];
    for (let i = 0; i < 3; i += 1) seen.push((await f.output.next()).value.status);
    expect(seen).toEqual([PENDING, RESERVED, CONFIRMED]);
    await f.output.return();
  });

  it('a resync (no status) reads and catches up', async () => {
    const { f } = follower(() => orderWith([PENDING, CANCELLED]));
    f.start(orderWith([PENDING]));
    f.notify(null);
    expect((await drain(f)).map(([status]) => status)).toEqual([PENDING, CANCELLED]);
  });

  it('an order that has ended is sent once and completes', async () => {
    const { f, loads } = follower(() => orderWith([PENDING, CANCELLED]));
    f.start(orderWith([PENDING, CANCELLED]));
    f.notify(CANCELLED);
    expect((await drain(f)).map(([status]) => status)).toEqual([CANCELLED]);
    expect(loads.released).toBe(1);
  });

  it('releases once when the subscriber leaves before the snapshot, and reads nothing more', async () => {
    const { f, loads } = follower(() => orderWith([PENDING, RESERVED]));
    f.notify(RESERVED);
    await f.output.return();
    await new Promise((resolve) => setImmediate(resolve));
    expect(loads).toEqual({ count: 0, released: 1 });
  });
});
