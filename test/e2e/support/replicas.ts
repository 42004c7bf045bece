import { EnvReader } from '@storegraph/common';
import * as users from '@storegraph/users';
import * as catalog from '@storegraph/catalog';
import * as orders from '@storegraph/orders';
import * as payments from '@storegraph/payments';
import * as gateway from '@storegraph/gateway';
import { gatewayEnv, serviceEnv, startStack, type Stack, type StackOptions } from './stack';

/**
 * Two replicas of every service against the same databases, NATS namespace and Redis
 * prefix: the stack's instances (replica 1) and a second instance of each subgraph and of
 * the gateway (replica 2), each built by the same createApp with its own database pool,
 * NATS connection, durable consumers' pulls, relay, sweepers and Redis client. Nothing is
 * shared between the two but what a deployment shares; module-level state of the services
 * is constant (docs/decisions.md, "What each replica shares"), and the processes test
 * (subscriptions-replicas.test.ts) runs the second replicas as OS processes.
 * The second gateway calls the second subgraphs, so a client of it is served by replica 2
 * throughout, as behind a load balancer.
 */
export interface Replicas {
  stack: Stack;
  second: {
    users: users.UsersApp;
    catalog: catalog.CatalogApp;
    orders: orders.OrdersApp;
    payments: payments.PaymentsApp;
    gateway: gateway.GatewayApp;
  };
  /** The second gateway's GraphQL endpoint. */
  secondUrl: string;
  /** Both gateways' endpoints, replica 1 first. */
  gatewayUrls: [string, string];
  stop(): Promise<void>;
}

export interface ReplicasOptions extends StackOptions {
  /** Settings of the second gateway only (on top of `env`). */
  secondGatewayEnv?: Record<string, string>;
}

export type SubgraphName = 'users' | 'catalog' | 'orders' | 'payments';

export async function startReplicas(options: ReplicasOptions = {}): Promise<Replicas> {
  const stack = await startStack(options);
  const started: Array<{ stop(): Promise<void> }> = [];
  const track = <T extends { stop(): Promise<void> }>(app: T): T => {
    started.unshift(app);
    return app;
  };
  const stop = async () => {
    // The second gateway first, then users (its email sender calls the others), as the stack does.
    for (const app of started) await app.stop().catch(() => undefined);
    await stack.stop();
  };
  try {
    const env = (service: SubgraphName) => ({ ...serviceEnv(service), ...options.env });
    const catalogApp = track(await catalog.createApp(catalog.readConfig(new EnvReader({ ...env('catalog'), USERS_URL: stack.urls.users }))));
    const catalogUrl = await catalogApp.listen(0);
    const ordersApp = track(
      await orders.createApp(orders.readConfig(new EnvReader({ ...env('orders'), CATALOG_URL: catalogUrl, USERS_URL: stack.urls.users }))),
    );
    const ordersUrl = await ordersApp.listen(0);
    const paymentsApp = track(
      await payments.createApp(payments.readConfig(new EnvReader(env('payments'))), { provider: stack.subgraphs.payments.provider }),
    );
    const paymentsUrl = await paymentsApp.listen(0);
    const usersApp = track(
      await users.createApp(
        users.readConfig(new EnvReader({ ...env('users'), CATALOG_URL: catalogUrl, ORDERS_URL: ordersUrl, PAYMENTS_URL: paymentsUrl })),
      ),
    );
    const usersUrl = await usersApp.listen(0);
    const gatewayApp = track(
      await gateway.createApp(
        gateway.readConfig(
          gatewayEnv({ users: usersUrl, catalog: catalogUrl, orders: ordersUrl, payments: paymentsUrl }, { ...options.env, ...options.secondGatewayEnv }),
        ),
      ),
    );
    const secondUrl = await gatewayApp.listen(0);
    return {
      stack,
      second: { users: usersApp, catalog: catalogApp, orders: ordersApp, payments: paymentsApp, gateway: gatewayApp },
      secondUrl,
      gatewayUrls: [stack.url, secondUrl],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Both replicas of one subgraph, replica 1 first. */
export function bothOf<S extends SubgraphName>(replicas: Replicas, service: S): [Stack['subgraphs'][S], Replicas['second'][S]] {
  return [replicas.stack.subgraphs[service], replicas.second[service]];
}

/** Rows of a query on one subgraph's database (shared by both replicas). */
export async function rows<T>(replicas: Replicas, service: SubgraphName, text: string, params: unknown[] = []): Promise<T[]> {
  const result = await replicas.stack.subgraphs[service].database.orm.em.getConnection().getKnex().raw(text, params as never[]);
  return (result as { rows: T[] }).rows;
}

/** `select count(*) <from and where>` on one subgraph's database. */
export async function count(replicas: Replicas, service: SubgraphName, fromWhere: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(replicas, service, `select count(*)::int as n ${fromWhere}`, params);
  return n;
}

/** A uuid[] literal of ids (UUIDs only), for `= any(?::uuid[])`: knex would splice a JS array into a list. */
export const uuidArray = (ids: string[]): string => `{${ids.join(',')}}`;

/**
 * Every message of one of this run's streams, as envelope ids in stream order (read with
 * an ordered consumer, which takes nothing from the durables).
 */
export async function streamEnvelopeIds(replicas: Replicas, stream: 'ORDERS' | 'CATALOG' | 'PAYMENTS'): Promise<string[]> {
  const bus = replicas.stack.subgraphs.orders.events.bus;
  const name = bus.stream(stream);
  const info = await (await bus.js.streams.get(name)).info();
  const total = info.state.messages;
  const ids: string[] = [];
  if (total === 0) return ids;
  const consumer = await bus.js.consumers.get(name);
  const messages = await consumer.consume();
  for await (const msg of messages) {
    ids.push((msg.json() as { id: string }).id);
    if (ids.length >= total) break;
  }
  await messages.close();
  return ids;
}
