import { GraphQLError } from 'graphql';
import { formatError, isDatabaseUnavailable } from '../../src';

/** What counts as "the database cannot serve now" (SERVICE_UNAVAILABLE) and what stays a bug. */
describe('isDatabaseUnavailable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each([
    ['statement_timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['admin shutdown (57P01)', withCode('57P01')],
    ['too many connections (53300)', withCode('53300')],
    ['connection failure (08006)', withCode('08006')],
    ['refused connection', withCode('ECONNREFUSED')],
    ['knex pool wait', new Error('Knex: Timeout acquiring a connection. The pool is probably full.')],
    ['pg connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['wrapped by graphql-js', new GraphQLError('x', { originalError: withCode('57P01') })],
  ])('%s is unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['nothing', undefined],
  ])('%s is not', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('formatError answers SERVICE_UNAVAILABLE for it in production, without the SQL', () => {
    const original = withCode('57014', 'update "products" set ... - canceling statement due to statement timeout');
    const error = new GraphQLError('update "products" ...', { originalError: original, path: ['updateProduct'] });
    const formatted = formatError(false)({ message: error.message, path: ['updateProduct'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
    expect(formatted.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(formatted.message).not.toMatch(/products/);
  });
});
