import { metricsFor, SagaMetrics, type EventEnvelope } from '../../src';

const envelope = (subject: string, data: Record<string, unknown>) =>
  ({ id: 'x', subject, version: 1, occurredAt: new Date().toISOString(), data }) as unknown as EventEnvelope;

/** The saga's business counters, read off the events each owner publishes. */
describe('saga metrics', () => {
  it('counts status changes (FAILED by reason), payments with amounts and expired reservations', async () => {
    const saga = SagaMetrics.of('saga-probe');
    saga.published(envelope('orders.order.placed', {}));
    saga.published(envelope('orders.order.failed', { reason: 'PAYMENT_DECLINED' }));
    saga.published(envelope('payments.payment.captured', { amountMinor: 1250 }));
    saga.published(envelope('payments.payment.captured', { amountMinor: 250 }));
    saga.published(envelope('payments.payment.failed', { reason: 'card declined' }));
    saga.published(envelope('payments.payment.refunded', { amountMinor: 250 }));
    saga.published(envelope('catalog.reservation.expired', {}));
    const text = await metricsFor('saga-probe').text();
    for (const line of [
      'storegraph_order_status_changes_total{status="PENDING",reason="",service="saga-probe"} 1',
      'storegraph_order_status_changes_total{status="FAILED",reason="PAYMENT_DECLINED",service="saga-probe"} 1',
      'storegraph_payments_total{outcome="captured",service="saga-probe"} 2',
      'storegraph_payments_total{outcome="declined",service="saga-probe"} 1',
      'storegraph_payment_amount_minor_units_total{outcome="captured",service="saga-probe"} 1500',
      'storegraph_payment_amount_minor_units_total{outcome="refunded",service="saga-probe"} 250',
      'storegraph_reservations_expired_total{service="saga-probe"} 1',
      'storegraph_events_published_total{subject="payments.payment.captured",service="saga-probe"} 2',
    ]) {
      expect(text).toContain(line);
    }
    // A decline has no amount: none is counted for it.
    expect(text).not.toContain('storegraph_payment_amount_minor_units_total{outcome="declined"');
  });
});
