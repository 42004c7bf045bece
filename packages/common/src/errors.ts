import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable, serviceUnavailable } from './db-unavailable';

/** The error codes of the public contract (`extensions.code`). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

const CONTRACT_CODES = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  // Produced by graphql-js/Apollo itself for malformed operations; safe to show.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (message = 'Sign in first') => appError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed for your role') => appError('FORBIDDEN', message);
export const badInput = (message: string, field?: string) =>
  appError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (what: string) => appError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => appError('CONFLICT', message);
export const rateLimited = (retryAfterSeconds: number) =>
  appError('RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });

export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof GraphQLError && error.extensions.code === code;
}

/**
 * graphql-js ends some messages with a guess from the schema ("Did you mean "email"?"):
 * validation of unknown fields, arguments, types and enum values, and the coercion of
 * variables. Outside development they would map the schema for anyone who asks, so they
 * are cut wherever an error leaves a server (Apollo's `hideSchemaDetailsFromClientErrors`
 * covers only validation over HTTP).
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * Apollo `formatError` for every server of ours. A database that cannot serve (pool
 * exhausted, statement_timeout, connection refused or dropped) is SERVICE_UNAVAILABLE in
 * every mode: the client may retry, and it is not a bug. Otherwise in development errors
 * pass through untouched (stack traces and suggestions help); in production only contract
 * codes keep their message (without suggestions) and extensions, and anything else (a
 * bug, SQL, a host name) becomes a bare INTERNAL_SERVER_ERROR.
 */
export function formatError(development: boolean) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    if (!formatted.extensions?.code || formatted.extensions.code === 'INTERNAL_SERVER_ERROR') {
      if (error !== undefined && isDatabaseUnavailable(unwrapResolverError(error))) {
        const unavailable = serviceUnavailable().toJSON();
        return { message: unavailable.message, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
      }
    }
    if (development) return formatted;
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CONTRACT_CODES.has(code)) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { message: withoutSuggestions(formatted.message), locations: formatted.locations, path: formatted.path, extensions };
    }
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
