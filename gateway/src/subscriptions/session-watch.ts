import type { Redis } from 'ioredis';
import { GraphQLError } from 'graphql';
import { revocationKeys, revocationMarkIsCurrent, type Logger } from '@storegraph/common';
import type { GatewayContext } from '../context';
import { unauthenticated } from '../identity-assertions';

/** Close codes clients see (4xxx is the application range of RFC 6455). */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_TOKEN_REVOKED = 4403;
/** Revocation could not be checked for too long: reconnect later (a transient outage, not a bad token). */
export const CLOSE_REVOCATION_UNCHECKED = 4503;

export interface SessionWatchOptions {
  /** How often open sockets' tokens are checked (REVOCATION_CHECK_MS). */
  checkIntervalMs: number;
  /** A socket whose token could not be checked for longer than this is closed (REVOCATION_UNCHECKED_CLOSE_MS). */
  uncheckedCloseMs: number;
}

interface Watched {
  context: GatewayContext;
  close(code: number, reason: string): void;
  expiry: NodeJS.Timeout;
  /** When Redis last confirmed the token unrevoked (connect time: the door checked it). */
  checkedAt: number;
  /** Set once the socket is being closed; no more work is vouched for after that. */
  ended: { code: number; reason: string } | null;
}

/** The watched form of a socket's identity: its context, and the function that stops the watch. */
export interface WatchedSession {
  /** The socket's context, refusing to vouch for the caller once the session no longer stands. */
  context: GatewayContext;
  stop(): void;
}

/**
 * A WebSocket outlives the request that opened it, so its token is watched for as long
 * as it stays open: the socket closes when the token expires, within one check interval
 * of its revocation (logout, or reuse of a rotated refresh token), and when revocation
 * could not be checked (Redis down, or restarted and not yet refilled by users) for
 * longer than the bound. All open sockets are checked with one Redis round trip per
 * interval. Every subgraph call made for the socket asks its context for an assertion,
 * which is refused once the session ended, so nothing is vouched for past that point.
 */
export class SessionWatch {
  private readonly sessions = new Set<Watched>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: SessionWatchOptions,
  ) {
    this.timer = setInterval(() => void this.checkRevocations(), options.checkIntervalMs);
  }

  /** Starts watching a socket's identity (anonymous sockets have nothing to watch). */
  watch(context: GatewayContext, close: (code: number, reason: string) => void): WatchedSession {
    const { caller } = context;
    if (!caller) return { context, stop: () => undefined };
    const msLeft = Math.max(0, caller.tokenExpiresAt * 1000 - Date.now());
    const session: Watched = {
      context,
      close: (code, reason) => {
        session.ended ??= { code, reason };
        close(code, reason);
      },
      expiry: setTimeout(() => session.close(CLOSE_TOKEN_EXPIRED, 'Access token expired'), msLeft),
      checkedAt: Date.now(),
      ended: null,
    };
    this.sessions.add(session);
    const assertStanding = (): void => {
      this.assertStanding(session);
      context.assertStanding();
    };
    return {
      context: {
        ...context,
        assertStanding,
        identityHeader: () => {
          assertStanding();
          return context.identityHeader();
        },
      },
      stop: () => {
        clearTimeout(session.expiry);
        this.sessions.delete(session);
      },
    };
  }

  get size(): number {
    return this.sessions.size;
  }

  private assertStanding(session: Watched): void {
    this.closeIfOverdue(session);
    const ended = session.ended;
    if (!ended) return;
    if (ended.code === CLOSE_REVOCATION_UNCHECKED) {
      throw new GraphQLError(ended.reason, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    throw unauthenticated(ended.reason);
  }

  private closeIfOverdue(session: Watched): void {
    if (session.ended || Date.now() - session.checkedAt <= this.options.uncheckedCloseMs) return;
    session.close(CLOSE_REVOCATION_UNCHECKED, 'Access token revocation cannot be checked; reconnect later');
  }

  private async checkRevocations(): Promise<void> {
    // Overdue first: a Redis that hangs must not hold a socket open past the bound.
    for (const session of this.sessions) this.closeIfOverdue(session);
    const sessions = [...this.sessions].filter((session) => !session.ended);
    if (sessions.length === 0) return;
    const startedAt = Date.now();
    const keys = sessions.flatMap((s) => [revocationKeys.token(s.context.caller!.tokenId), revocationKeys.family(s.context.caller!.familyId)]);
    let values: Array<string | null> | null = null;
    try {
      values = await this.redis.mget(...keys, revocationKeys.complete());
      // Redis answers but has not been refilled since it restarted or took over: absence proves nothing.
      if (!(await revocationMarkIsCurrent(this.redis, values.at(-1) ?? null))) {
        this.logger.warn('revocation list incomplete (Redis restarted?); open sockets unchecked');
        values = null;
      }
    } catch (err) {
      this.logger.warn('could not check revocations of open sockets', { err });
    }
    if (values === null) {
      for (const session of sessions) this.closeIfOverdue(session);
      return;
    }
    const answered = values;
    sessions.forEach((session, i) => {
      if (answered[2 * i] !== null || answered[2 * i + 1] !== null) session.close(CLOSE_TOKEN_REVOKED, 'Access token revoked');
      else session.checkedAt = Math.max(session.checkedAt, startedAt);
    });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const session of this.sessions) clearTimeout(session.expiry);
    this.sessions.clear();
  }
}
