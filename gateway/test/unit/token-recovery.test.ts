import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { onlyRecoversSession } from '../../src/token-recovery';

function recovers(text: string): boolean {
  const document = parse(text);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return onlyRecoversSession(operation, fragments);
}

describe('onlyRecoversSession', () => {
  it.each([
    'mutation { register(input: {}) { accessToken } }',
    'mutation { login(email: "a", password: "b") { accessToken } }',
    'mutation { refreshToken(refreshToken: "t") { accessToken } }',
    'mutation { logout(refreshToken: "t") }',
    'mutation { requestPasswordReset(email: "a@example.com") }',
    'mutation { resetPassword(token: "t", newPassword: "p") { accessToken } }',
    'mutation { __typename a: login(email: "a", password: "b") { accessToken } b: logout(refreshToken: "t") }',
    'mutation { ... on Mutation { logout(refreshToken: "t") } }',
    'mutation { ...F } fragment F on Mutation { logout(refreshToken: "t") }',
  ])('lets %p through with a bad token', (text) => {
    expect(recovers(text)).toBe(true);
  });

  it.each([
    '{ me { id } }',
    'query { login }',
    'mutation { __typename }',
    'mutation { requestEmailVerification }',
    'mutation { verifyEmail(token: "t") { id } }',
    'mutation { resetPassword(token: "t", newPassword: "p") { accessToken } changePassword(currentPassword: "a", newPassword: "b") { accessToken } }',
    'mutation { logout(refreshToken: "t") cancelOrder(id: "x") { id } }',
    'mutation { ...F } fragment F on Mutation { login(email: "a", password: "b") { accessToken } addToCart(productId: "p", quantity: 1) { id } }',
    'mutation { logout(refreshToken: "t") ... on Mutation { checkout(input: {}) { id } } }',
    // Directives do not count: a field that might run is a field.
    'mutation { logout(refreshToken: "t") cancelOrder(id: "x") @skip(if: true) { id } }',
  ])('refuses %p with a bad token', (text) => {
    expect(recovers(text)).toBe(false);
  });
});
