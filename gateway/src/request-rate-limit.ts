import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { addressKey, hasCode, RateLimits, type HttpRefusal, type RateRule } from '@storegraph/common';
import { clientAddress } from './context';

/**
 * The overall limit per client address: every GraphQL request over HTTP and every
 * operation sent over a WebSocket counts one, checked before anything is parsed or run.
 * The per-operation limits (register, checkout, ...) live in the subgraphs that do the work.
 */
export class RequestRateLimit {
  private readonly limits: RateLimits<'request'>;

  constructor(redis: Redis, rule: RateRule, private readonly trustProxy: boolean) {
    this.limits = new RateLimits(redis, { request: rule });
  }

  /** Counts one against the address; the RATE_LIMITED error once its allowance is spent, else null. */
  async check(clientIp: string | null): Promise<GraphQLError | null> {
    try {
      await this.limits.consume('request', addressKey(clientIp));
      return null;
    } catch (err) {
      if (hasCode(err, 'RATE_LIMITED')) return err as GraphQLError;
      throw err;
    }
  }

  /** For createHttpApp's `admit`: 429 with Retry-After and a GraphQL error body. */
  admit = async (req: IncomingMessage): Promise<HttpRefusal | null> => {
    const refused = await this.check(clientAddress(req, this.trustProxy));
    if (!refused) return null;
    return {
      status: 429,
      headers: {
        'retry-after': String(refused.extensions.retryAfterSeconds),
        // Browsers hide response headers from scripts unless they are exposed.
        'access-control-expose-headers': 'retry-after',
      },
      body: { errors: [refused.toJSON()] },
    };
  };
}
