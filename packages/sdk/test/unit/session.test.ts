import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { buildSchema, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ChangePasswordDocument,
  createStoregraphClient,
  LoginDocument,
  LogoutDocument,
  LogoutEverywhereDocument,
  MeDocument,
  memorySessionStorage,
  OrderStatusChangedDocument,
  RefreshTokenDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  StoregraphError,
  type FetchLike,
  type OrderFieldsFragment,
  type OrderStatus,
  type SessionEndedReason,
  type SessionStorage,
  type SessionTokens,
} from '@storegraph/sdk';
import { apiSchemaSdl } from '../../../../codegen';

/**
 * The SDK's session keeping against an injected fetch that behaves like the gateway and users
 * for tokens (401 for a token it does not accept, refresh tokens rotated on use), and a real
 * graphql-ws server for the sockets.
 */

const url = 'http://gateway.test/graphql';
const user = { id: 'user-1', email: 'a@b.test', name: 'A', role: 'CUSTOMER' as const, createdAt: '2025-01-01T00:00:00.000Z' };

type RefreshBehaviour = 'rotate' | 'refuse' | 'unavailable';

/** Token rules of the real stack, in a fetch: which access tokens pass, which refresh tokens rotate. */
class FakeGateway {
  readonly accepted = new Set<string>();
  private readonly refreshTokens = new Map<string, 'live' | 'rotated'>();
  refreshCalls: string[] = [];
  refreshAuthorizations: Array<string | undefined> = [];
  /** Authorization header of every non-refresh call, in order. */
  authorizations: Array<string | undefined> = [];
  refreshBehaviour: RefreshBehaviour = 'rotate';
  /** False: the renewed access token is refused too (a broken server, or the login ended meanwhile). */
  acceptRenewed = true;
  /** Holds refresh answers back so concurrent failures pile up behind one refresh. */
  refreshDelayMs = 30;
  /** Answer of an operation by name, when its token passes. */
  answers: Record<string, (variables: Record<string, unknown>) => { status?: number; body: unknown }> = {
    Me: () => ({ body: { data: { me: { ...user, orders: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } } } }),
  };
  private serial = 0;

  /** A pair the fake knows: the access token passes, the refresh token rotates once. */
  issue(): SessionTokens {
    this.serial += 1;
    const pair = { accessToken: `access-${this.serial}`, refreshToken: `refresh-${this.serial}` };
    this.accepted.add(pair.accessToken);
    this.refreshTokens.set(pair.refreshToken, 'live');
    return pair;
  }

  authPayload(pair: SessionTokens) {
    return { ...pair, expiresIn: 900, user };
  }

  readonly fetch: FetchLike = async (_url, init) => {
    const body = JSON.parse(init.body) as { operationName: string; variables: Record<string, unknown> };
    const answer = body.operationName === 'RefreshToken' ? await this.refresh(body.variables, init.headers) : this.call(body, init.headers);
    const text = JSON.stringify(answer.body);
    const status = answer.status ?? 200;
    return { ok: status < 300, status, text: async () => text };
  };

  private async refresh(variables: Record<string, unknown>, headers: Record<string, string>) {
    const presented = String(variables.refreshToken);
    this.refreshCalls.push(presented);
    this.refreshAuthorizations.push(headers.authorization);
    await new Promise((resolve) => setTimeout(resolve, this.refreshDelayMs));
    if (this.refreshBehaviour === 'unavailable') {
      return { status: 503, body: { errors: [{ message: 'Users is down', extensions: { code: 'SERVICE_UNAVAILABLE' } }] } };
    }
    const state = this.refreshTokens.get(presented);
    if (this.refreshBehaviour === 'refuse' || state !== 'live') {
      return { body: { data: null, errors: [{ message: 'Refresh token is invalid, expired or revoked', extensions: { code: 'UNAUTHENTICATED' } }] } };
    }
    this.refreshTokens.set(presented, 'rotated');
    const pair = this.issue();
    if (!this.acceptRenewed) this.accepted.delete(pair.accessToken);
    return { body: { data: { refreshToken: this.authPayload(pair) } } };
  }

  private call(body: { operationName: string; variables: Record<string, unknown> }, headers: Record<string, string>) {
    this.authorizations.push(headers.authorization);
    const token = headers.authorization?.replace(/^Bearer /, '');
    if (token !== undefined && !this.accepted.has(token)) {
      return { status: 401, body: { errors: [{ message: 'Access token expired', extensions: { code: 'UNAUTHENTICATED' } }] } };
    }
    const answer = this.answers[body.operationName];
    if (!answer) throw new Error(`no answer for ${body.operationName}`);
    return answer(body.variables);
  }
}

/** A storage that records what the client asked of it. */
function recordingStorage(initial?: SessionTokens): SessionStorage & { saved: SessionTokens[]; cleared: number; held(): SessionTokens | null } {
  const inner = memorySessionStorage(initial);
  let held: SessionTokens | null = initial ?? null;
  const storage = {
    saved: [] as SessionTokens[],
    cleared: 0,
    held: () => held,
    load: () => inner.load(),
    save: (tokens: SessionTokens) => {
      storage.saved.push(tokens);
      held = tokens;
      return inner.save(tokens);
    },
    clear: () => {
      storage.cleared += 1;
      held = null;
      return inner.clear();
    },
  };
  return storage;
}

/** A session whose access token has expired (the fake no longer accepts it) and whose refresh token is live. */
function expiredSession(gateway: FakeGateway): SessionTokens {
  const pair = gateway.issue();
  gateway.accepted.delete(pair.accessToken);
  return pair;
}

async function failure(pending: Promise<unknown>): Promise<StoregraphError> {
  const outcome = await pending.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof StoregraphError)) throw outcome;
  return outcome;
}

describe('SDK session over HTTP', () => {
  it('10 calls refused together share one refresh, store the rotated pair and are each retried once with it', async () => {
    const gateway = new FakeGateway();
    const stale = expiredSession(gateway);
    const storage = recordingStorage(stale);
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: storage });
    const changes: Array<SessionTokens | null> = [];
    client.session.on('changed', (tokens) => changes.push(tokens));

    const results = await Promise.all(Array.from({ length: 10 }, () => client.request(MeDocument)));

    expect(results.map((r) => r.me?.id)).toEqual(Array(10).fill('user-1'));
    expect(gateway.refreshCalls).toEqual([stale.refreshToken]);
    // the refresh token proves the session; the refused access token is not sent with it
    expect(gateway.refreshAuthorizations).toEqual([undefined]);
    const rotated = { accessToken: 'access-2', refreshToken: 'refresh-2' };
    expect(storage.saved).toEqual([rotated]);
    expect(changes).toEqual([rotated]);
    expect(await client.session.get()).toEqual(rotated);
    // 10 refused with the stale token, then 10 retries with the new one, nothing more
    expect(gateway.authorizations.filter((a) => a === `Bearer ${stale.accessToken}`)).toHaveLength(10);
    expect(gateway.authorizations.filter((a) => a === 'Bearer access-2')).toHaveLength(10);
    expect(gateway.authorizations).toHaveLength(20);

    // A call refused later with the token renewed meanwhile refreshes again (the new pair), once.
    gateway.accepted.delete('access-2');
    await client.request(MeDocument);
    expect(gateway.refreshCalls).toEqual([stale.refreshToken, 'refresh-2']);
  });

  it('a refresh the server refuses ends the session once: callback and event, storage cleared, every call UNAUTHENTICATED', async () => {
    const gateway = new FakeGateway();
    const storage = recordingStorage(expiredSession(gateway));
    gateway.refreshBehaviour = 'refuse';
    const ended: SessionEndedReason[] = [];
    const events: SessionEndedReason[] = [];
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: storage, onSessionEnded: (reason) => ended.push(reason) });
    client.session.on('ended', (reason) => events.push(reason));

    const errors = await Promise.all(Array.from({ length: 10 }, () => failure(client.request(MeDocument))));

    expect(errors.map((e) => [e.status, e.codes])).toEqual(Array(10).fill([401, ['UNAUTHENTICATED']]));
    expect(gateway.refreshCalls).toHaveLength(1);
    expect(ended).toEqual(['refresh_refused']);
    expect(events).toEqual(['refresh_refused']);
    expect(storage.cleared).toBe(1);
    expect(await client.session.get()).toBeNull();

    // Signed out now: the next call goes without a token and reports nothing more.
    await client.request(MeDocument);
    expect(gateway.authorizations.slice(-1)).toEqual([undefined]);
    expect(ended).toHaveLength(1);
  });

  it('a refresh that cannot be made (users down) rejects with its error and keeps the session for later', async () => {
    const gateway = new FakeGateway();
    const stale = expiredSession(gateway);
    const storage = recordingStorage(stale);
    gateway.refreshBehaviour = 'unavailable';
    const ended: SessionEndedReason[] = [];
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: storage, onSessionEnded: (r) => ended.push(r) });

    const error = await failure(client.request(MeDocument));
    expect({ status: error.status, codes: error.codes }).toEqual({ status: 503, codes: ['SERVICE_UNAVAILABLE'] });
    expect(ended).toEqual([]);
    expect(await client.session.get()).toEqual(stale);
    expect(storage.cleared).toBe(0);

    gateway.refreshBehaviour = 'rotate';
    expect((await client.request(MeDocument)).me?.id).toBe('user-1');
    expect(gateway.refreshCalls).toEqual([stale.refreshToken, stale.refreshToken]);
  });

  it('retries once: a renewed token refused again is the answer, with no second refresh', async () => {
    const gateway = new FakeGateway();
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: memorySessionStorage(expiredSession(gateway)) });
    gateway.answers.Me = () => ({ status: 401, body: { errors: [{ message: 'Access token revoked', extensions: { code: 'UNAUTHENTICATED' } }] } });

    const error = await failure(client.request(MeDocument));
    expect({ status: error.status, codes: error.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(gateway.refreshCalls).toHaveLength(1);
    expect(gateway.authorizations).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('never refreshes for the recovery mutations, nor for an UNAUTHENTICATED a resolver answers (wrong current password)', async () => {
    const gateway = new FakeGateway();
    const refused = { status: 401, body: { errors: [{ message: 'Access token expired', extensions: { code: 'UNAUTHENTICATED' } }] } };
    for (const name of ['Login', 'Register', 'RefreshToken', 'Logout', 'RequestPasswordReset', 'ResetPassword']) gateway.answers[name] = () => refused;
    gateway.answers.ChangePassword = () => ({
      body: { data: null, errors: [{ message: 'Current password is wrong', path: ['changePassword'], extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    const session = gateway.issue();
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: memorySessionStorage(session) });

    const calls = [
      client.request(LoginDocument, { email: 'a@b.test', password: 'wrong-password' }),
      client.request(RegisterDocument, { input: { email: 'a@b.test', password: 'correct-horse-1', name: 'A' } }),
      client.request(LogoutDocument, { refreshToken: 'refresh-unknown' }),
      client.request(RequestPasswordResetDocument, { email: 'a@b.test' }),
      client.request(ResetPasswordDocument, { token: 'used', newPassword: 'correct-horse-2' }),
      client.request(ChangePasswordDocument, { currentPassword: 'wrong', newPassword: 'correct-horse-2' }),
    ];
    for (const call of calls) expect((await failure(call)).codes).toEqual(['UNAUTHENTICATED']);
    // RefreshToken through the app itself: refused, not refreshed again behind its back
    expect((await failure(client.request(RefreshTokenDocument, { refreshToken: 'refresh-unknown' }))).codes).toEqual(['UNAUTHENTICATED']);
    expect(gateway.refreshCalls).toEqual(['refresh-unknown']);
    expect(await client.session.get()).toEqual(session);
  });

  it('stores the pair login, register, refreshToken and changePassword return; logout and logoutEverywhere end the session', async () => {
    const gateway = new FakeGateway();
    const ended: SessionEndedReason[] = [];
    const client = createStoregraphClient({ url, fetch: gateway.fetch, onSessionEnded: (r) => ended.push(r) });
    gateway.answers.Login = () => ({ body: { data: { login: gateway.authPayload(gateway.issue()) } } });
    gateway.answers.Register = () => ({ body: { data: { register: gateway.authPayload(gateway.issue()) } } });
    gateway.answers.ChangePassword = () => ({ body: { data: { changePassword: gateway.authPayload(gateway.issue()) } } });
    gateway.answers.Logout = () => ({ body: { data: { logout: true } } });
    gateway.answers.LogoutEverywhere = () => ({ body: { data: { logoutEverywhere: true } } });

    expect(await client.session.get()).toBeNull();
    await client.request(LoginDocument, { email: 'a@b.test', password: 'correct-horse-1' });
    expect(await client.session.get()).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    await client.request(MeDocument);
    expect(gateway.authorizations.slice(-1)).toEqual(['Bearer access-1']);

    await client.request(RefreshTokenDocument, { refreshToken: 'refresh-1' });
    expect(await client.session.get()).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await client.request(ChangePasswordDocument, { currentPassword: 'correct-horse-1', newPassword: 'correct-horse-2' });
    expect(await client.session.get()).toEqual({ accessToken: 'access-3', refreshToken: 'refresh-3' });

    // Logging out another login (not this session's refresh token) leaves the session alone.
    await client.request(LogoutDocument, { refreshToken: 'refresh-elsewhere' });
    expect(ended).toEqual([]);
    await client.request(LogoutDocument, { refreshToken: 'refresh-3' });
    expect(ended).toEqual(['logged_out']);
    expect(await client.session.get()).toBeNull();

    await client.request(RegisterDocument, { input: { email: 'b@b.test', password: 'correct-horse-1', name: 'B' } });
    expect(await client.session.get()).toEqual({ accessToken: 'access-4', refreshToken: 'refresh-4' });
    await client.request(LogoutEverywhereDocument);
    expect(ended).toEqual(['logged_out', 'logged_out']);
    expect(await client.session.get()).toBeNull();

    // session.set: a pair obtained elsewhere; null forgets it without an 'ended' event
    const elsewhere = gateway.issue();
    await client.session.set(elsewhere);
    await client.request(MeDocument);
    expect(gateway.authorizations.slice(-1)).toEqual([`Bearer ${elsewhere.accessToken}`]);
    await client.session.set(null);
    expect(ended).toHaveLength(2);
  });

  it('uses a pair another client sharing the storage renewed already, under the storage lock, without refreshing', async () => {
    const gateway = new FakeGateway();
    const stale = expiredSession(gateway);
    let shared: SessionTokens | null = stale;
    const locked: string[] = [];
    const storage: SessionStorage = {
      load: () => shared,
      save: (tokens) => {
        shared = tokens;
      },
      clear: () => {
        shared = null;
      },
      exclusive: async (work) => {
        locked.push('enter');
        try {
          return await work();
        } finally {
          locked.push('leave');
        }
      },
    };
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: storage });
    await client.session.get(); // loaded: the stale pair
    // Another tab refreshes and saves the new pair into the shared storage.
    shared = gateway.issue();

    expect((await client.request(MeDocument)).me?.id).toBe('user-1');
    expect(gateway.refreshCalls).toEqual([]);
    expect(gateway.authorizations).toEqual([`Bearer ${stale.accessToken}`, `Bearer ${shared.accessToken}`]);
    expect(locked).toEqual(['enter', 'leave']);
  });

  it('a pair the app sets while a refresh is out stands: the refreshed one does not overwrite it', async () => {
    const gateway = new FakeGateway();
    gateway.refreshDelayMs = 100;
    const client = createStoregraphClient({ url, fetch: gateway.fetch, sessionStorage: memorySessionStorage(expiredSession(gateway)) });
    const pending = client.request(MeDocument);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = gateway.issue();
    await client.session.set(other);

    expect((await pending).me?.id).toBe('user-1');
    expect(gateway.refreshCalls).toEqual(['refresh-1']);
    expect(await client.session.get()).toEqual(other);
    expect(gateway.authorizations.slice(-1)).toEqual([`Bearer ${other.accessToken}`]);
  });

  it('without a session, and in manual mode (getToken), a 401 is passed on and nothing is refreshed', async () => {
    const gateway = new FakeGateway();
    const anonymous = createStoregraphClient({ url, fetch: gateway.fetch });
    gateway.answers.LogoutEverywhere = () => ({ body: { data: null, errors: [{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect((await failure(anonymous.request(LogoutEverywhereDocument))).codes).toEqual(['UNAUTHENTICATED']);

    const stale = expiredSession(gateway);
    const manual = createStoregraphClient({ url, fetch: gateway.fetch, getToken: () => stale.accessToken });
    expect((await failure(manual.request(MeDocument))).status).toBe(401);
    await expect(manual.session.set(gateway.issue())).rejects.toThrow('created with getToken');
    expect(gateway.refreshCalls).toEqual([]);
  });
});

describe('SDK session over graphql-ws', () => {
  const order = (status: OrderStatus): OrderFieldsFragment => ({
    id: 'order-1',
    status,
    failureReason: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    total: { amount: '1.00', currency: 'USD' },
    subtotal: { amount: '1.00', currency: 'USD' },
    discount: { amount: '0.00', currency: 'USD' },
    coupon: null,
    statusHistory: [{ status, at: '2025-01-01T00:00:00.000Z' }],
    shippingAddress: null,
    shipment: null,
    items: [],
    payment: null,
    user,
  });

  let server: WebSocketServer;
  let wsUrl: string;
  let gateway: FakeGateway;
  /** Token of every connection_init, in order. */
  let connections: Array<string | undefined>;
  /** The open sockets, by the token they connected with. */
  const sockets = new Map<string, WebSocket>();
  /** The order's status as it is now; each subscription starts with it, then follows `changes`. */
  let status: OrderStatus;
  let listeners: Array<() => void>;
  /** Every subscription is refused with UNAUTHENTICATED, whatever the token. */
  let refuseSubscriptions: boolean;
  const setStatus = (next: OrderStatus) => {
    status = next;
    for (const listener of listeners) listener();
  };

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, path: '/graphql' });
    await once(server, 'listening');
    wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    useServer(
      {
        schema: buildSchema(apiSchemaSdl()),
        onSubscribe: () =>
          refuseSubscriptions ? [new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } })] : undefined,
        onConnect: (ctx) => {
          const token = String(ctx.connectionParams?.authorization ?? '').replace(/^Bearer /, '') || undefined;
          connections.push(token);
          if (!token || !gateway.accepted.has(token)) return false; // 4403, as the gateway
          sockets.set(token, ctx.extra.socket as unknown as WebSocket);
          return true;
        },
        roots: {
          subscription: {
            // As the gateway: the order as it is now, then every change.
            orderStatusChanged: async function* () {
              let seen: OrderStatus | null = null;
              for (;;) {
                if (status !== seen) {
                  seen = status;
                  yield { orderStatusChanged: order(status) };
                }
                await new Promise<void>((resolve) => listeners.push(resolve));
                listeners = [];
              }
            },
          },
        },
      },
      server,
    );
  });

  beforeEach(() => {
    gateway = new FakeGateway();
    connections = [];
    sockets.clear();
    status = 'PENDING';
    listeners = [];
    refuseSubscriptions = false;
  });

  afterAll(async () => {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  const clientFor = (session: SessionTokens, onSessionEnded?: (reason: SessionEndedReason) => void) =>
    createStoregraphClient({ url, wsUrl, fetch: gateway.fetch, webSocketImpl: WebSocket, sessionStorage: memorySessionStorage(session), onSessionEnded });

  it('a socket closed for its expired token (4401) reconnects with the renewed token and keeps delivering', async () => {
    const session = gateway.issue();
    const client = clientFor(session);
    const events = client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' });
    try {
      expect((await events.next()).value?.orderStatusChanged.status).toBe('PENDING');
      gateway.accepted.delete(session.accessToken);
      sockets.get(session.accessToken)!.close(4401, 'Access token expired');
      // The order moves on while the socket is away: the new subscription's first event is where it is now.
      setStatus('RESERVED');
      expect((await events.next()).value?.orderStatusChanged.status).toBe('RESERVED');
      setStatus('CONFIRMED');
      expect((await events.next()).value?.orderStatusChanged.status).toBe('CONFIRMED');
    } finally {
      await events.return?.();
      await client.dispose();
    }
    expect(gateway.refreshCalls).toEqual([session.refreshToken]);
    expect(connections).toEqual([session.accessToken, 'access-2']);
  });

  it('a token refused at the door (4403) is renewed before graphql-ws would retry it unchanged', async () => {
    const stale = expiredSession(gateway);
    const client = clientFor(stale);
    const events = client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' });
    try {
      expect((await events.next()).value?.orderStatusChanged.status).toBe('PENDING');
    } finally {
      await events.return?.();
      await client.dispose();
    }
    expect(connections).toEqual([stale.accessToken, 'access-2']);
  });

  it('a refresh made for an HTTP call moves open sockets to the new token', async () => {
    const session = gateway.issue();
    const client = clientFor(session);
    const events = client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' });
    try {
      expect((await events.next()).value?.orderStatusChanged.status).toBe('PENDING');
      gateway.accepted.delete(session.accessToken);
      await client.request(MeDocument);
      setStatus('RESERVED');
      // The status may come twice: once on the old socket if it had not closed yet, once as the new subscription's first event.
      let next = await events.next();
      while (next.value?.orderStatusChanged.status !== 'RESERVED') next = await events.next();
      expect(connections).toEqual([session.accessToken, 'access-2']);
    } finally {
      await events.return?.();
      await client.dispose();
    }
  });

  it('a session that cannot be renewed ends the subscription with UNAUTHENTICATED and is reported', async () => {
    const session = gateway.issue();
    const ended: SessionEndedReason[] = [];
    const client = clientFor(session, (reason) => ended.push(reason));
    gateway.refreshBehaviour = 'refuse';
    const events = client.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' });
    try {
      expect((await events.next()).value?.orderStatusChanged.status).toBe('PENDING');
      gateway.accepted.delete(session.accessToken);
      sockets.get(session.accessToken)!.close(4403, 'Access token revoked');
      const error = await failure(events.next());
      expect(error.codes).toEqual(['UNAUTHENTICATED']);
      expect(await events.next()).toEqual({ done: true, value: undefined });
    } finally {
      await client.dispose();
    }
    expect(ended).toEqual(['refresh_refused']);
    expect(await client.session.get()).toBeNull();
  });

  it('renews once, not in a loop, when the renewed token is refused at the door or the subscription itself is refused', async () => {
    const stale = expiredSession(gateway);
    gateway.acceptRenewed = false;
    const atTheDoor = clientFor(stale);
    try {
      const error = await failure(atTheDoor.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' }).next());
      expect(error.codes).toEqual(['UNAUTHENTICATED']);
    } finally {
      await atTheDoor.dispose();
    }
    expect(gateway.refreshCalls).toHaveLength(1);
    expect(connections).toEqual([stale.accessToken, 'access-2']);

    gateway.acceptRenewed = true;
    refuseSubscriptions = true;
    const refused = clientFor(gateway.issue());
    try {
      const error = await failure(refused.subscribe(OrderStatusChangedDocument, { orderId: 'order-1' }).next());
      expect(error.codes).toEqual(['UNAUTHENTICATED']);
    } finally {
      await refused.dispose();
    }
    expect(gateway.refreshCalls).toHaveLength(2);
  });
});
