import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';

/** Limits of the WebSocket endpoint. Each is a setting of the gateway (see config.ts). */
export interface WebSocketLimits {
  /** WS_MAX_MESSAGE_BYTES: a larger message closes the socket (1009, by `ws`). */
  maxMessageBytes: number;
  /** WS_CONNECTION_INIT_TIMEOUT_MS: a socket without connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
  /** WS_MAX_SUBSCRIPTIONS_PER_SOCKET: subscriptions (and queries while they run) open at once on one socket. */
  maxSubscriptionsPerSocket: number;
  /** WS_MAX_SOCKETS_PER_ADDRESS: open sockets from one client address. */
  maxSocketsPerAddress: number;
  /** WS_MAX_SOCKETS_PER_USER: open sockets signed in as one user. */
  maxSocketsPerUser: number;
}

/** Close code for a socket over a per-address or per-user limit (4000-4999 are the application's). */
export const TOO_MANY_SOCKETS = 4429;

/** Open sockets per key; a socket leaves its count when it closes. */
class OpenSockets {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts the socket under `key`, or says no (and counts nothing) past the limit. */
  admit(socket: WebSocket, key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    // A socket that closed while its connection_init was being checked has no close event left to release it.
    if (count >= this.max || socket.readyState !== socket.OPEN) return false;
    this.counts.set(key, count + 1);
    socket.once('close', () => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    });
    return true;
  }
}

/**
 * Bounds what one client can hold open: sockets per client address (counted from the
 * upgrade, so sockets that never send connection_init count too), sockets per signed-in
 * user (counted from connection_init, when the user is known) and operations per socket.
 * The extra socket is closed with 4429 and a reason naming the limit; the ones before it
 * are untouched.
 */
export class SocketLimits {
  private readonly byAddress: OpenSockets;
  private readonly byUser: OpenSockets;

  /** Told each socket refused, by its setting's name in lower case (the gateway's refusal counter). */
  onRefusal: ((limit: string) => void) | null = null;

  constructor(readonly settings: WebSocketLimits) {
    this.byAddress = new OpenSockets(settings.maxSocketsPerAddress);
    this.byUser = new OpenSockets(settings.maxSocketsPerUser);
  }

  /** On the socket's opening. An unknown address (no socket address at all) is not limited. */
  admitAddress(socket: WebSocket, address: string | null): void {
    if (address === null || this.byAddress.admit(socket, address)) return;
    const max = this.settings.maxSocketsPerAddress;
    this.onRefusal?.('ws_max_sockets_per_address');
    socket.close(TOO_MANY_SOCKETS, `Too many sockets from this address (WS_MAX_SOCKETS_PER_ADDRESS=${max})`);
  }

  /** At connection_init, once the caller is known; false when the socket was closed instead. */
  admitUser(socket: WebSocket, userId: string): boolean {
    if (this.byUser.admit(socket, userId)) return true;
    this.onRefusal?.('ws_max_sockets_per_user');
    socket.close(TOO_MANY_SOCKETS, `Too many sockets for this user (WS_MAX_SOCKETS_PER_USER=${this.settings.maxSocketsPerUser})`);
    return false;
  }

  /**
   * The refusal of one more operation on a socket already running `running` of them
   * (graphql-ws's `ctx.subscriptions`, which holds the new one too). The socket and its
   * other operations carry on.
   */
  operationRefusal(running: number): GraphQLError[] | undefined {
    const max = this.settings.maxSubscriptionsPerSocket;
    if (running <= max) return undefined;
    const message = `This socket already has ${max} open subscriptions; the limit is ${max} (WS_MAX_SUBSCRIPTIONS_PER_SOCKET)`;
    return [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED' } })];
  }
}
