import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { markTracingEnabled } from '@storegraph/common';
import { unique, waitFor } from '@storegraph/common/testing';
import { OrderDocument } from '@storegraph/sdk';
import { addToCart, checkout, createProduct, signUp } from './support/client';
import { startShop, type Shop } from './support/stack';
import { metricValue } from './support/metrics';

/**
 * What an operator sees of one order: its trace from checkout to CONFIRMED across the
 * gateway and the three subgraphs of the saga (an in-memory exporter in place of OTLP;
 * all five services run in this process, each with its own tracer), and the counters
 * each service's /metrics shows for it.
 */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let shop: Shop;

beforeAll(async () => {
  provider.register();
  markTracingEnabled();
  shop = await startShop();
});

afterAll(async () => {
  await shop?.stack.stop();
  markTracingEnabled(false);
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const scopeOf = (span: ReadableSpan) => span.instrumentationLibrary.name.replace(/^storegraph-/, '');
const parentOf = (span: ReadableSpan) => span.parentSpanId;

async function confirmedOrder(): Promise<{ orderId: string; amount: number }> {
  const product = await createProduct(shop.admin, { price: '4.25', stock: 5 });
  const shopper = await signUp(shop.api);
  await addToCart(shopper.client, product.id, 2);
  const orderId = await checkout(shopper.client, 'tok_visa');
  await waitFor(async () => (await shopper.client.request(OrderDocument, { id: orderId })).order?.status === 'CONFIRMED', {
    timeoutMs: 30_000,
    what: 'the order to be CONFIRMED',
  });
  return { orderId, amount: 850 };
}

describe('one trace per order', () => {
  it('links checkout at the gateway through orders, catalog and payments to CONFIRMED', async () => {
    exporter.reset();
    await confirmedOrder();
    const spans = () => exporter.getFinishedSpans();
    const checkoutSpan = () => spans().find((s) => scopeOf(s) === 'gateway' && s.kind === SpanKind.SERVER && s.name === 'mutation Checkout');
    // The last hop (orders publishing CONFIRMED) may end a moment after the status is readable.
    await waitFor(
      () => {
        const root = checkoutSpan();
        return !!root && spans().some((s) => s.spanContext().traceId === root.spanContext().traceId && s.name === 'publish orders.order.confirmed');
      },
      { timeoutMs: 10_000, what: 'the trace to reach orders.order.confirmed' },
    );
    const root = checkoutSpan()!;
    const traceId = root.spanContext().traceId;
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const find = (service: string, name: string, kind?: SpanKind) => {
      const found = inTrace.find((s) => scopeOf(s) === service && s.name === name && (kind === undefined || s.kind === kind));
      if (!found) throw new Error(`no span ${service}: ${name} in the trace (have: ${inTrace.map((s) => `${scopeOf(s)}:${s.name}`).join(', ')})`);
      return found;
    };
    const parentName = (span: ReadableSpan) => {
      const parent = byId.get(parentOf(span) ?? '');
      return parent ? `${scopeOf(parent)}: ${parent.name}` : null;
    };

    for (const service of ['gateway', 'orders', 'catalog', 'payments']) expect(inTrace.map(scopeOf)).toContain(service);
    // The gateway started the trace (the client sent none) and called orders under its own client span.
    expect(parentOf(root)).toBeUndefined();
    const ordersServer = inTrace.find((s) => scopeOf(s) === 'orders' && s.kind === SpanKind.SERVER && s.name === 'mutation checkout')!;
    expect(ordersServer).toBeDefined();
    expect(parentName(ordersServer)).toBe('gateway: subgraph orders');
    // Between them, @apollo/gateway's own spans (plan, execute, fetch): the chain still reaches the root.
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const parent = byId.get(parentOf(span) ?? '');
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    expect(ancestors(ordersServer)).toContain(root);
    // Orders' SQL under its server span; the outbox row's trace context continued by the relay.
    expect(inTrace.some((s) => s.name.startsWith('sql ') && parentOf(s) === ordersServer.spanContext().spanId)).toBe(true);
    const placed = find('orders', 'publish orders.order.placed', SpanKind.PRODUCER);
    expect(parentOf(placed)).toBe(ordersServer.spanContext().spanId);
    // Each consumer's span is a child of the publish it received (NATS headers).
    expect(parentName(find('catalog', 'consume orders.order.placed', SpanKind.CONSUMER))).toBe('orders: publish orders.order.placed');
    expect(parentName(find('catalog', 'publish catalog.stock.reserved', SpanKind.PRODUCER))).toBe('catalog: consume orders.order.placed');
    expect(parentName(find('orders', 'consume catalog.stock.reserved', SpanKind.CONSUMER))).toBe('catalog: publish catalog.stock.reserved');
    expect(parentName(find('payments', 'consume orders.order.reserved', SpanKind.CONSUMER))).toBe('orders: publish orders.order.reserved');
    expect(parentName(find('orders', 'consume payments.payment.captured', SpanKind.CONSUMER))).toBe('payments: publish payments.payment.captured');
    expect(find('orders', 'publish orders.order.confirmed', SpanKind.PRODUCER)).toBeDefined();
    // Every span but the root hangs under another span of the same trace.
    for (const span of inTrace) if (span !== root) expect(byId.has(parentOf(span) ?? '')).toBe(true);
  });
});

describe("a client's trace context", () => {
  it('is continued by the gateway and passed on to the subgraphs', async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(shop.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      // A search no one made before: the gateway's read cache cannot answer it, so catalog is asked.
      body: JSON.stringify({
        query: 'query Search($search: String!) { products(filter: { search: $search }) { totalCount } }',
        variables: { search: unique('trace') },
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    await waitFor(() => exporter.getFinishedSpans().some((s) => scopeOf(s) === 'catalog' && s.kind === SpanKind.SERVER), {
      what: "catalog's server span",
    });
    const spans = exporter.getFinishedSpans();
    const gateway = spans.find((s) => scopeOf(s) === 'gateway' && s.kind === SpanKind.SERVER)!;
    expect(gateway.name).toBe('query Search');
    expect(gateway.spanContext().traceId).toBe(traceId);
    expect(parentOf(gateway)).toBe('00f067aa0ba902b7');
    const catalog = spans.find((s) => scopeOf(s) === 'catalog' && s.kind === SpanKind.SERVER)!;
    expect(catalog.spanContext().traceId).toBe(traceId);
  });
});

describe('/metrics', () => {
  async function scrape(url: string): Promise<string> {
    const response = await fetch(new URL('/metrics', url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  }

  it("counts an order's operations, fetches, events and money on each service", async () => {
    const { urls, url } = shop.stack;
    const before = {
      confirmed: metricValue(await scrape(urls.orders), 'storegraph_order_status_changes_total', { status: 'CONFIRMED' }) ?? 0,
      captured: metricValue(await scrape(urls.payments), 'storegraph_payment_amount_minor_units_total', { outcome: 'captured' }) ?? 0,
    };
    const { amount } = await confirmedOrder();
    const [gateway, orders, catalog, payments, users] = await Promise.all([url, urls.orders, urls.catalog, urls.payments, urls.users].map(scrape));

    expect(metricValue(gateway, 'storegraph_graphql_operations_total', { service: 'gateway', operation: 'Checkout', type: 'mutation', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(gateway, 'storegraph_graphql_operation_duration_seconds_count', { operation: 'Checkout' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(gateway, 'storegraph_gateway_subgraph_fetches_total', { subgraph: 'orders', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(gateway, 'storegraph_gateway_websockets', {})).toBe(0);
    expect(metricValue(gateway, 'process_cpu_user_seconds_total', { service: 'gateway' })).toBeGreaterThan(0);

    // Subgraphs label operations by root field; SQL and the pool are theirs.
    expect(metricValue(orders, 'storegraph_graphql_operations_total', { service: 'orders', operation: 'checkout', type: 'mutation', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(users, 'storegraph_graphql_operations_total', { operation: 'register', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(orders, 'storegraph_sql_statements_total', { source: 'request' })).toBeGreaterThan(0);
    expect(metricValue(orders, 'storegraph_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(metricValue(orders, 'storegraph_db_pool_waiting', {})).toBe(0);

    // The saga, from the events each owner published and each consumer handled.
    expect(metricValue(orders, 'storegraph_order_status_changes_total', { status: 'CONFIRMED' })).toBe(before.confirmed + 1);
    expect(metricValue(payments, 'storegraph_payment_amount_minor_units_total', { outcome: 'captured' })).toBe(before.captured + amount);
    expect(metricValue(payments, 'storegraph_payments_total', { outcome: 'captured' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(catalog, 'storegraph_events_published_total', { subject: 'catalog.stock.reserved' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(catalog, 'storegraph_events_consumed_total', { subject: 'orders.order.placed', consumer: 'catalog', outcome: 'applied' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(payments, 'storegraph_event_handler_duration_seconds_count', { subject: 'orders.order.reserved', consumer: 'payments' })).toBeGreaterThanOrEqual(1);
    // Read from JetStream and the outbox at scrape time: nothing waiting once the order is done.
    await waitFor(async () => metricValue(await scrape(urls.orders), 'storegraph_outbox_unpublished', {}) === 0, { timeoutMs: 10_000, what: 'the outbox to drain' });
    expect(metricValue(orders, 'storegraph_consumer_pending_messages', { stream: 'CATALOG', consumer: 'orders' })).toBeGreaterThanOrEqual(0);
    expect(metricValue(orders, 'storegraph_dead_letters', { consumer: 'orders' })).toBe(0);
    expect(metricValue(orders, 'storegraph_orders_open', { status: 'PENDING' })).toBeGreaterThanOrEqual(0);

    // Never an id as a label: no series names a UUID.
    for (const text of [gateway, orders, catalog, payments, users]) {
      expect(text).not.toMatch(/="[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/);
    }
  });

  it('counts limit refusals by the limit that refused', async () => {
    const post = (query: string) =>
      fetch(shop.stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const tooMany = `query Aliases { ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const refused = (await (await post(tooMany)).json()) as { errors: Array<{ message: string }> };
    expect(refused.errors[0].message).toMatch(/MAX_QUERY_ALIASES/);
    const gateway = await scrape(shop.stack.url);
    expect(metricValue(gateway, 'storegraph_gateway_refusals_total', { limit: 'max_query_aliases' })).toBeGreaterThanOrEqual(1);
  });
});
