import type { GraphQLFormattedError } from 'graphql';
import { formatError } from '@storegraph/common';

/**
 * @apollo/gateway passes a subgraph error's message and extensions (code,
 * retryAfterSeconds, field) through and adds `serviceName`; an error without a code
 * becomes DOWNSTREAM_SERVICE_ERROR, which common's formatter masks in production. Outside
 * development the subgraph names are internal topology, so they are dropped as well.
 */
export function gatewayFormatError(development: boolean): (formatted: GraphQLFormattedError) => GraphQLFormattedError {
  const base = formatError(development);
  return (formatted) => {
    const result = base(formatted);
    if (development || !result.extensions || !('serviceName' in result.extensions)) return result;
    const { serviceName: _serviceName, ...extensions } = result.extensions;
    return { ...result, extensions };
  };
}
