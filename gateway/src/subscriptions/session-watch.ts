import type { Redis } from 'ioredis';
import { revocationKeys, type Caller, type Logger } from '@storegraph/common';

/** Close codes clients see (4xxx is the application range of RFC 6455). */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_TOKEN_REVOKED = 4403;

interface Watched {
  caller: Caller;
  close(code: number, reason: string): void;
  expiry: NodeJS.Timeout;
}

/**
 * A WebSocket outlives the request that opened it, so its token is watched for as long
 * as it stays open: the socket closes when the token expires, and within one check
 * interval of its revocation (logout, or reuse of a rotated refresh token). All open
 * sockets are checked with one Redis round trip per interval.
 */
export class SessionWatch {
  private readonly sessions = new Set<Watched>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    checkIntervalMs: number,
  ) {
    this.timer = setInterval(() => void this.checkRevocations(), checkIntervalMs);
  }

  /** Starts watching; returns the function that stops it (call it when the socket closes). */
  watch(caller: Caller, close: (code: number, reason: string) => void): () => void {
    const msLeft = Math.max(0, caller.tokenExpiresAt * 1000 - Date.now());
    const session: Watched = {
      caller,
      close,
      expiry: setTimeout(() => close(CLOSE_TOKEN_EXPIRED, 'Access token expired'), msLeft),
    };
    this.sessions.add(session);
    return () => {
      clearTimeout(session.expiry);
      this.sessions.delete(session);
    };
  }

  get size(): number {
    return this.sessions.size;
  }

  private async checkRevocations(): Promise<void> {
    const sessions = [...this.sessions];
    if (sessions.length === 0) return;
    const keys = sessions.flatMap((s) => [revocationKeys.token(s.caller.tokenId), revocationKeys.family(s.caller.familyId)]);
    let values: Array<string | null>;
    try {
      values = await this.redis.mget(keys);
    } catch (err) {
      this.logger.warn('could not check revocations of open sockets', { err });
      return;
    }
    sessions.forEach((session, i) => {
      if (values[2 * i] !== null || values[2 * i + 1] !== null) session.close(CLOSE_TOKEN_REVOKED, 'Access token revoked');
    });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const session of this.sessions) clearTimeout(session.expiry);
    this.sessions.clear();
  }
}
