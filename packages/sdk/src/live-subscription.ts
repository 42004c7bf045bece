import type { Client as WsClient, SubscribePayload } from 'graphql-ws';
import { StoregraphError } from './errors';

/** The gateway closes a socket whose token it refuses at the door (4403) or that expired or was revoked while open (4401, 4403). */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return isRecord(value) && typeof value.code === 'number' && 'reason' in value;
}

export function isAuthClose(value: unknown): boolean {
  return isCloseEvent(value) && AUTH_CLOSE_CODES.has(value.code);
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** graphql-ws rejects with GraphQL errors, a CloseEvent or an Error: one error type for all. */
export function subscriptionError(cause: unknown): StoregraphError {
  if (cause instanceof StoregraphError) return cause;
  if (Array.isArray(cause)) return StoregraphError.fromGraphQLErrors(cause);
  if (isCloseEvent(cause)) {
    const reason = typeof cause.reason === 'string' && cause.reason ? cause.reason : 'no reason given';
    // The contract's UNAUTHENTICATED, so apps branch on one code whether HTTP or socket refused the token.
    const code = AUTH_CLOSE_CODES.has(cause.code) ? 'UNAUTHENTICATED' : undefined;
    const errors = code ? [{ message: reason, code, extensions: { code, closeCode: cause.code } }] : [];
    return new StoregraphError(`Subscription socket closed (${cause.code}): ${reason}`, { cause, errors });
  }
  return new StoregraphError(`Subscription failed: ${describe(cause)}`, { cause });
}

/**
 * One graphql-ws client (one socket, reconnected by graphql-ws after network trouble) and the
 * identity it connects with. A new session retires it: its subscriptions move to a new one,
 * whose connection_init carries the new token.
 */
export class SocketGeneration {
  /** The access token of the latest connection_init; undefined before the first one or when anonymous. */
  token: string | undefined;
  /** Whether connection_init has been sent at all. */
  connected = false;
  /** Whether any connection of this generation was acknowledged (its token was good then). */
  everAcknowledged = false;
  retired = false;
  readonly client: WsClient;
  readonly stops = new Set<() => void>();

  constructor(create: (generation: SocketGeneration) => WsClient) {
    this.client = create(this);
    this.client.on('connected', () => {
      this.everAcknowledged = true;
    });
  }
}

/** The client's current socket generation, created when a subscription needs one. */
export class SocketPool {
  private current: SocketGeneration | null = null;

  constructor(private readonly create: (generation: SocketGeneration) => WsClient) {}

  get(): SocketGeneration {
    this.current ??= new SocketGeneration(this.create);
    return this.current;
  }

  /** Moves the subscriptions of `generation` (when it is still the current one) to a new socket. */
  retire(generation: SocketGeneration): void {
    if (this.current !== generation) return;
    this.current = null;
    generation.retired = true;
    for (const stop of [...generation.stops]) stop();
    // Its socket closes; an error closing a socket nobody uses any more changes nothing.
    void Promise.resolve(generation.client.dispose()).catch(() => undefined);
  }

  /** After the session changed: a socket that connected with another token reconnects with the new one. */
  renewIdentity(token: string | undefined): void {
    const current = this.current;
    if (current && current.connected && current.token !== token) this.retire(current);
  }

  async dispose(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.client.dispose();
  }
}

interface ExecutionEvent<TResult> {
  data?: TResult | null;
  errors?: readonly unknown[];
}

export interface LiveSubscriptionOptions {
  sockets: SocketPool;
  payload: SubscribePayload;
  /**
   * Session mode: renews the session after `failedToken` was refused; resolves to the new
   * access token, or null when there is no session to renew (the refusal then stands).
   */
  recover?: (failedToken: string | undefined) => Promise<string | null>;
}

interface Attempt<TResult> {
  iterator: AsyncIterator<ExecutionEvent<TResult>>;
  generation: SocketGeneration;
  /** Opened right after this subscription renewed the session. */
  afterRenewal: boolean;
  /** Whether it delivered an event (the gateway's first one is the order as it is now). */
  delivered: boolean;
}

/**
 * A subscription that outlives its socket's token: when the token is refused (the socket
 * closes with 4401/4403, or an event is an UNAUTHENTICATED error) it renews the session once
 * and subscribes again on a socket that connects with the new token; when another call renewed
 * the session, it moves to the new socket too. The gateway's first event after subscribing is
 * the order as it is now, so nothing is missed in between (the last status may repeat).
 */
export function liveSubscription<TResult>(options: LiveSubscriptionOptions): AsyncIterableIterator<TResult> {
  let attempt: Attempt<TResult> | null = null;
  let finished = false;
  let renewed = false;

  const open = (): Attempt<TResult> => {
    const generation = options.sockets.get();
    const iterator = generation.client.iterate<TResult>(options.payload) as AsyncIterator<ExecutionEvent<TResult>>;
    const stop = () => void iterator.return?.();
    generation.stops.add(stop);
    const opened: Attempt<TResult> = {
      iterator: {
        next: () => iterator.next(),
        return: async (value?: unknown) => {
          generation.stops.delete(stop);
          return (await iterator.return?.(value)) ?? { done: true, value: undefined };
        },
      },
      generation,
      afterRenewal: renewed,
      delivered: false,
    };
    renewed = false;
    return opened;
  };

  const stopAttempt = async (): Promise<void> => {
    const current = attempt;
    attempt = null;
    await current?.iterator.return?.();
  };

  /** Whether to subscribe again after `error` ended `current`. */
  const canResume = async (current: Attempt<TResult>, error: StoregraphError | null): Promise<boolean> => {
    if (finished) return false;
    if (current.generation.retired) return true;
    if (!options.recover || !error?.has('UNAUTHENTICATED')) return false;
    // Refused again, with the token just renewed and before any event: renewing again would
    // loop. Only a socket that was accepted and then closed (its token expired meanwhile) renews.
    const expiredWhileOpen = isCloseEvent(error.cause) && current.generation.everAcknowledged;
    if (current.afterRenewal && !current.delivered && !expiredWhileOpen) return false;
    const token = await options.recover(current.generation.token);
    if (token === null) return false;
    options.sockets.retire(current.generation);
    renewed = true;
    return true;
  };

  const iterator: AsyncIterableIterator<TResult> = {
    async next(): Promise<IteratorResult<TResult>> {
      for (;;) {
        if (finished) return { done: true, value: undefined };
        const current = (attempt ??= open());
        let step: IteratorResult<ExecutionEvent<TResult>>;
        try {
          step = await current.iterator.next();
        } catch (cause) {
          await stopAttempt();
          const error = subscriptionError(cause);
          if (await canResume(current, error)) continue;
          finished = true;
          throw error;
        }
        if (step.done) {
          await stopAttempt();
          if (await canResume(current, null)) continue;
          finished = true;
          return { done: true, value: undefined };
        }
        const { data, errors } = step.value;
        if (errors && errors.length > 0) {
          await stopAttempt();
          const error = StoregraphError.fromGraphQLErrors(errors, { data: data ?? undefined });
          if (await canResume(current, error)) continue;
          finished = true;
          throw error;
        }
        if (data === undefined || data === null) {
          await stopAttempt();
          finished = true;
          throw new StoregraphError('A subscription event without data or errors');
        }
        current.delivered = true;
        return { done: false, value: data };
      }
    },
    async return(): Promise<IteratorResult<TResult>> {
      finished = true;
      await stopAttempt();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
