import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveEvent {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One client socket to the gateway, as a web or mobile app opens it. */
export interface LiveSocket {
  client: Client;
  /** Close code and reason, once the server closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
}

export function openSocket(httpUrl: string, token?: string): LiveSocket {
  let resolveClosed: (value: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    resolveClosed = resolve;
  });
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, closed };
}

/** Collects every event of one subscription until it completes or fails. */
export function follow(socket: LiveSocket, query: string, variables: Record<string, unknown>) {
  const events: LiveEvent[] = [];
  let failure: unknown = null;
  const done = new Promise<void>((resolve) => {
    socket.client.subscribe(
      { query, variables },
      {
        next: (value) => void events.push(value as LiveEvent),
        error: (err) => {
          failure = err;
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { events, done, failure: () => failure };
}
