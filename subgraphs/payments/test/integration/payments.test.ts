import { uuidv7, type Role } from '@storegraph/common';
import { postGraphQL } from '@storegraph/common/testing';
import { Payment, PaymentStatus } from '../../src/entities';
import { startPayments, type PaymentsHarness } from '../support/harness';

let payments: PaymentsHarness;
let url: string;

beforeAll(async () => {
  // No outbox relay: nothing here emits, and its polling would be counted as SQL statements.
  payments = await startPayments({ events: { relay: false } });
  url = payments.url;
});
afterAll(async () => {
  await payments?.stop();
});

const as = (userId: string, role?: Role) => payments.as(userId, role);

/** The saga writes payments (saga.test.ts); reading them only needs rows, made directly here. */
type PaymentSeed = Pick<Payment, 'orderId' | 'userId'> & Partial<Pick<Payment, 'status' | 'failureReason' | 'providerRef'>>;

async function insertPayments(rows: PaymentSeed[]): Promise<Payment[]> {
  const em = payments.app.database.orm.em.fork();
  const created = rows.map((row) =>
    em.create(Payment, { amountMinor: 1234, currency: 'USD', status: PaymentStatus.PENDING, ...row }),
  );
  await em.flush();
  return created;
}

const ORDER_PAYMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment {
  id status failureReason createdAt amount { amount currency } order { id } } } } }`;
const PAYMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id status order { id } } } }`;

const orderRefs = (ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));

describe('Order.payment', () => {
  it('is the payment of the order, shown to the payer and ADMIN', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    const [payment] = await insertPayments([{ orderId, userId, status: PaymentStatus.CAPTURED, providerRef: 'ch_test_1' }]);
    const expected = {
      data: {
        _entities: [
          {
            id: orderId,
            payment: {
              id: payment.id,
              status: 'CAPTURED',
              failureReason: null,
              createdAt: payment.createdAt.toISOString(),
              amount: { amount: '12.34', currency: 'USD' },
              order: { id: orderId },
            },
          },
        ],
      },
    };
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId]) }, as(userId))).toEqual(expected);
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId]) }, as(uuidv7(), 'ADMIN'))).toEqual(expected);
  });

  it('shows the decline reason of a FAILED payment', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    await insertPayments([{ orderId, userId, status: PaymentStatus.FAILED, failureReason: 'Your card was declined.' }]);
    const res = await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId]) }, as(userId));
    expect(res.data?._entities).toEqual([
      { id: orderId, payment: expect.objectContaining({ status: 'FAILED', failureReason: 'Your card was declined.' }) },
    ]);
  });

  it('exists once per order: the database refuses a second attempt', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    await insertPayments([{ orderId, userId }]);
    await expect(insertPayments([{ orderId, userId }])).rejects.toThrow(/payments_order_id_key/);
  });

  it('is null for another customer, anonymous callers, and orders without a payment', async () => {
    const [userId, orderId, unpaid] = [uuidv7(), uuidv7(), uuidv7()];
    await insertPayments([{ orderId, userId }]);
    const nulls = { data: { _entities: [{ id: orderId, payment: null }, { id: unpaid, payment: null }] } };
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId, unpaid]) }, as(uuidv7()))).toEqual(nulls);
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId, unpaid]) })).toEqual(nulls);
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([unpaid]) }, as(userId))).toEqual({
      data: { _entities: [{ id: unpaid, payment: null }] },
    });
  });

  it('costs one SQL query for any number of orders', async () => {
    const userId = uuidv7();
    const orderIds = Array.from({ length: 20 }, () => uuidv7());
    await insertPayments(orderIds.map((orderId) => ({ orderId, userId, status: PaymentStatus.CAPTURED })));
    const before = payments.app.database.queryCount();
    const res = await postGraphQL<{ _entities: Array<{ payment: { status: string } | null }> }>(
      url,
      ORDER_PAYMENT,
      { r: orderRefs(orderIds) },
      as(userId),
    );
    expect(payments.app.database.queryCount() - before).toBe(1);
    expect(res.data?._entities.map((o) => o.payment?.status)).toEqual(orderIds.map(() => 'CAPTURED'));
  });
});

describe('Payment entity', () => {
  it('resolves payments in one query, null for those the caller may not see', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    const [mine] = await insertPayments([{ orderId, userId }]);
    const [theirs] = await insertPayments([{ orderId: uuidv7(), userId: uuidv7() }]);
    const r = [mine.id, theirs.id, uuidv7(), 'not-a-uuid'].map((id) => ({ __typename: 'Payment', id }));
    const before = payments.app.database.queryCount();
    const res = await postGraphQL(url, PAYMENT, { r }, as(userId));
    expect(payments.app.database.queryCount() - before).toBe(1);
    expect(res).toEqual({ data: { _entities: [{ id: mine.id, status: 'PENDING', order: { id: orderId } }, null, null, null] } });
    expect(await postGraphQL(url, PAYMENT, { r: r.slice(0, 1) })).toEqual({ data: { _entities: [null] } });
  });
});
