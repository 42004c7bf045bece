import { IDENTITY_HEADER, signIdentity, uuidv7, type Role } from '@storegraph/common';
import { postGraphQL, testSubgraphConfig } from '@storegraph/common/testing';
import { createApp, type PaymentsApp } from '../../src/app';
import { Payment, PaymentStatus } from '../../src/entities';

let app: PaymentsApp;
let url: string;
let secret: string;

beforeAll(async () => {
  const config = testSubgraphConfig('payments');
  secret = config.gatewaySecret;
  app = await createApp(config);
  url = await app.listen(0);
});
afterAll(async () => {
  await app?.stop();
});

function as(userId: string, role: Role = 'CUSTOMER'): Record<string, string> {
  const caller = { userId, role, tokenId: uuidv7(), tokenExpiresAt: Math.floor(Date.now() / 1000) + 900, familyId: uuidv7() };
  return { [IDENTITY_HEADER]: signIdentity(secret, { caller, clientIp: '127.0.0.1' }) };
}

/** Payments are written by the saga later; here the rows are made directly. */
async function insertPayments(rows: Array<Partial<Payment> & { orderId: string; userId: string }>): Promise<Payment[]> {
  const em = app.database.orm.em.fork();
  const payments = rows.map((row) =>
    em.create(Payment, { amountMinor: 1234, currency: 'USD', status: PaymentStatus.PENDING, ...row }),
  );
  await em.flush();
  return payments;
}

const ORDER_PAYMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment {
  id status failureReason createdAt amount { amount currency } order { id } } } } }`;
const PAYMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id status order { id } } } }`;

const orderRefs = (ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));

describe('Order.payment', () => {
  it('is the latest payment of the order, shown to the payer and ADMIN', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    const [failed] = await insertPayments([
      { orderId, userId, status: PaymentStatus.FAILED, failureReason: 'card_declined', createdAt: new Date(Date.now() - 60_000) },
    ]);
    const [latest] = await insertPayments([{ orderId, userId, status: PaymentStatus.CAPTURED, providerRef: 'pi_test_1' }]);
    const expected = {
      data: {
        _entities: [
          {
            id: orderId,
            payment: {
              id: latest.id,
              status: 'CAPTURED',
              failureReason: null,
              createdAt: latest.createdAt.toISOString(),
              amount: { amount: '12.34', currency: 'USD' },
              order: { id: orderId },
            },
          },
        ],
      },
    };
    expect(failed.id).not.toBe(latest.id);
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId]) }, as(userId))).toEqual(expected);
    expect(await postGraphQL(url, ORDER_PAYMENT, { r: orderRefs([orderId]) }, as(uuidv7(), 'ADMIN'))).toEqual(expected);
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
    const earlier = new Date(Date.now() - 60_000);
    await insertPayments(
      orderIds.flatMap((orderId) => [
        { orderId, userId, createdAt: earlier },
        { orderId, userId, status: PaymentStatus.CAPTURED },
      ]),
    );
    const before = app.database.queryCount();
    const res = await postGraphQL<{ _entities: Array<{ payment: { status: string } | null }> }>(
      url,
      ORDER_PAYMENT,
      { r: orderRefs(orderIds) },
      as(userId),
    );
    expect(app.database.queryCount() - before).toBe(1);
    expect(res.data?._entities.map((o) => o.payment?.status)).toEqual(orderIds.map(() => 'CAPTURED'));
  });
});

describe('Payment entity', () => {
  it('resolves payments in one query, null for those the caller may not see', async () => {
    const [userId, orderId] = [uuidv7(), uuidv7()];
    const [mine] = await insertPayments([{ orderId, userId }]);
    const [theirs] = await insertPayments([{ orderId: uuidv7(), userId: uuidv7() }]);
    const r = [mine.id, theirs.id, uuidv7(), 'not-a-uuid'].map((id) => ({ __typename: 'Payment', id }));
    const before = app.database.queryCount();
    const res = await postGraphQL(url, PAYMENT, { r }, as(userId));
    expect(app.database.queryCount() - before).toBe(1);
    expect(res).toEqual({ data: { _entities: [{ id: mine.id, status: 'PENDING', order: { id: orderId } }, null, null, null] } });
    expect(await postGraphQL(url, PAYMENT, { r: r.slice(0, 1) })).toEqual({ data: { _entities: [null] } });
  });
});
