/** The codes the public contract promises in `extensions.code` (contract/api.graphql). */
export type StoregraphErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  /** A dependency is down (HTTP 503): safe to retry later. */
  | 'SERVICE_UNAVAILABLE';

/**
 * A contract code, or another code a GraphQL server sends (GRAPHQL_VALIDATION_FAILED,
 * INTERNAL_SERVER_ERROR, PERSISTED_QUERY_NOT_FOUND ...). `string & {}` keeps editor completion
 * for the contract's codes while accepting the rest.
 */
export type ErrorCode = StoregraphErrorCode | (string & {});

/** One GraphQL error as the server sent it, with its contract fields lifted out. */
export interface StoregraphGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  code?: ErrorCode;
  /** Set on RATE_LIMITED: seconds until the next attempt may succeed. */
  retryAfterSeconds?: number;
  extensions: Readonly<Record<string, unknown>>;
}

export interface StoregraphErrorOptions {
  errors?: readonly StoregraphGraphQLError[];
  /** HTTP status, when the failure came over HTTP. */
  status?: number;
  /** Partial data the server returned beside the errors. */
  data?: unknown;
  cause?: unknown;
}

/**
 * Every failure of the SDK's client: GraphQL errors in a response, an HTTP answer that is not
 * GraphQL, a network failure, a closed subscription socket. One class, so an app has one
 * thing to catch and branches on `code` (e.g. UNAUTHENTICATED: refresh the token and retry).
 */
export class StoregraphError extends Error {
  readonly errors: readonly StoregraphGraphQLError[];
  readonly status?: number;
  readonly data?: unknown;

  constructor(message: string, options: StoregraphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoregraphError';
    this.errors = options.errors ?? [];
    this.status = options.status;
    this.data = options.data;
  }

  /** The first error's code; undefined for a network or HTTP failure. */
  get code(): ErrorCode | undefined {
    return this.errors[0]?.code;
  }

  /** Every error's code, in the server's order. */
  get codes(): Array<ErrorCode | undefined> {
    return this.errors.map((error) => error.code);
  }

  /** The longest wait any RATE_LIMITED error asks for. */
  get retryAfterSeconds(): number | undefined {
    const waits = this.errors.flatMap((error) => (error.retryAfterSeconds === undefined ? [] : [error.retryAfterSeconds]));
    return waits.length > 0 ? Math.max(...waits) : undefined;
  }

  has(code: ErrorCode): boolean {
    return this.errors.some((error) => error.code === code);
  }

  /** Builds the error from a response's `errors` array, whatever shape the server gave them. */
  static fromGraphQLErrors(rawErrors: readonly unknown[], options: Omit<StoregraphErrorOptions, 'errors'> = {}): StoregraphError {
    const errors = rawErrors.map(toGraphQLError);
    const first = errors[0];
    const summary = first ? `${first.code ?? 'GRAPHQL_ERROR'}: ${first.message}` : 'GraphQL error';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return new StoregraphError(summary + more, { ...options, errors });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toGraphQLError(raw: unknown): StoregraphGraphQLError {
  const error = isRecord(raw) ? raw : { message: String(raw) };
  const extensions = isRecord(error.extensions) ? error.extensions : {};
  const path = Array.isArray(error.path)
    ? error.path.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number')
    : undefined;
  return {
    message: typeof error.message === 'string' ? error.message : 'Unknown error',
    ...(path ? { path } : {}),
    ...(typeof extensions.code === 'string' ? { code: extensions.code } : {}),
    ...(typeof extensions.retryAfterSeconds === 'number' ? { retryAfterSeconds: extensions.retryAfterSeconds } : {}),
    extensions,
  };
}
