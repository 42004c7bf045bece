import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * HTTP 503 for an answer that is nothing but "a dependency is down" (SERVICE_UNAVAILABLE
 * and no data), as the contract promises, so load balancers and client retry logic can
 * see it without reading the body. A partial answer keeps 200: some fields were served.
 */
export function unavailableStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const served = data != null && Object.values(data).some((value) => value !== null);
          if (!served && errors?.some((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE')) response.http.status = 503;
        },
      };
    },
  };
}
