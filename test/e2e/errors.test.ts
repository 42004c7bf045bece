import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { EnvReader, JWT_AUDIENCE, JWT_ISSUER, readKeyMaterial } from '@storegraph/common';
import { codes, unique } from '@storegraph/common/testing';
import { startStack, type Stack } from './support/stack';
import { ApiClient, addToCart, createProduct, logIn, signUp } from './support/client';

/** Every contract error code this part of the API can produce, as a client receives it. */
describe('contract errors through the gateway', () => {
  let stack: Stack;
  let api: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    stack = await startStack();
    api = new ApiClient(stack.url);
    admin = (await logIn(api, stack.admin.email, stack.admin.password)).client;
  });

  afterAll(() => stack?.stop());

  const CART = '{ cart { items { quantity } } }';

  describe('UNAUTHENTICATED', () => {
    it('without a token where one is needed', async () => {
      expect(codes(await api.request(CART))).toEqual(['UNAUTHENTICATED']);
    });

    it('with a garbage token', async () => {
      expect(codes(await api.as('not-a-jwt').request(CART))).toEqual(['UNAUTHENTICATED']);
    });

    it('with an expired token', async () => {
      const shopper = await signUp(api);
      const keys = readKeyMaterial(new EnvReader(), 'development', { privateKey: true });
      const key = await importPKCS8(keys.privateKeyPem!, 'EdDSA');
      const past = Math.floor(Date.now() / 1000) - 3600;
      const expired = await new SignJWT({ role: 'CUSTOMER', fam: randomUUID() })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject(shopper.userId)
        .setJti(randomUUID())
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt(past - 900)
        .setExpirationTime(past)
        .sign(key);
      expect(codes(await api.as(expired).request(CART))).toEqual(['UNAUTHENTICATED']);
    });

    it('with a token revoked by logout', async () => {
      const shopper = await signUp(api);
      await shopper.client.ok('{ cart { items { quantity } } }');
      await shopper.client.ok('mutation($t: String!) { logout(refreshToken: $t) }', { t: shopper.refreshToken });
      expect(codes(await shopper.client.request(CART))).toEqual(['UNAUTHENTICATED']);
      const refresh = await api.request('mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
        t: shopper.refreshToken,
      });
      expect(codes(refresh)).toEqual(['UNAUTHENTICATED']);
    });

    it('for a wrong password and an unknown email', async () => {
      const shopper = await signUp(api);
      const login = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
      expect(codes(await api.request(login, { e: shopper.email, p: 'wrong-password' }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await api.request(login, { e: `${unique('nobody')}@storegraph.test`, p: 'whatever-1' }))).toEqual([
        'UNAUTHENTICATED',
      ]);
    });
  });

  it('FORBIDDEN for a customer calling an ADMIN mutation, which changes nothing', async () => {
    const shopper = await signUp(api);
    const sku = unique('SKU');
    const response = await shopper.client.request(
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku, name: 'Nope', price: '1.00', stock: 1 } },
    );
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(codes(await shopper.client.request('query($id: ID!) { user(id: $id) { id } }', { id: shopper.userId }))).toEqual([
      'FORBIDDEN',
    ]);
    const search = await api.ok<{ products: { totalCount: number } }>(
      'query($s: String) { products(filter: { search: $s }) { totalCount } }',
      { s: sku },
    );
    expect(search.products.totalCount).toBe(0);
  });

  describe('BAD_USER_INPUT', () => {
    const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }';

    it('for a bad email and a short password', async () => {
      expect(codes(await api.request(REGISTER, { input: { email: 'not-an-email', password: 'long-enough-1', name: 'A' } }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      const email = `${unique('short')}@storegraph.test`;
      expect(codes(await api.request(REGISTER, { input: { email, password: 'short', name: 'A' } }))).toEqual(['BAD_USER_INPUT']);
      // refused: the email is still free
      expect(codes(await api.request(REGISTER, { input: { email, password: 'long-enough-1', name: 'A' } }))).toEqual([]);
    });

    it('for a negative price or stock', async () => {
      const create = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }';
      expect(codes(await admin.request(create, { input: { sku: unique('SKU'), name: 'X', price: '-1.00', stock: 1 } }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await admin.request(create, { input: { sku: unique('SKU'), name: 'X', price: '1.00', stock: -1 } }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      const product = await createProduct(admin, { price: '2.00', stock: 2 });
      const setStock = await admin.request('mutation($id: ID!) { setStock(productId: $id, quantity: -5) { stock } }', {
        id: product.id,
      });
      expect(codes(setStock)).toEqual(['BAD_USER_INPUT']);
    });

    it('for first > 100', async () => {
      expect(codes(await api.request('{ products(first: 101) { totalCount } }'))).toEqual(['BAD_USER_INPUT']);
    });

    it('for a quantity < 1 and an empty cart', async () => {
      const shopper = await signUp(api);
      const product = await createProduct(admin, { price: '2.00', stock: 2 });
      const add = await shopper.client.request('mutation($p: ID!) { addToCart(productId: $p, quantity: 0) { subtotal { amount } } }', {
        p: product.id,
      });
      expect(codes(add)).toEqual(['BAD_USER_INPUT']);
      const checkout = await shopper.client.request('mutation { checkout(input: { paymentToken: "tok_visa" }) { id } }');
      expect(codes(checkout)).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('NOT_FOUND for a product or order that does not exist', async () => {
    const shopper = await signUp(api);
    const add = await shopper.client.request('mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { subtotal { amount } } }', {
      p: randomUUID(),
    });
    expect(codes(add)).toEqual(['NOT_FOUND']);
    const cancel = await shopper.client.request('mutation($id: ID!) { cancelOrder(id: $id) { id } }', { id: randomUUID() });
    expect(codes(cancel)).toEqual(['NOT_FOUND']);
  });

  it('CONFLICT for a duplicate email or SKU', async () => {
    const shopper = await signUp(api);
    const again = await api.request('mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { email: shopper.email.toUpperCase(), password: 'another-pass-1', name: 'Twin' },
    });
    expect(codes(again)).toEqual(['CONFLICT']);
    const product = await createProduct(admin, { price: '3.00', stock: 1 });
    const duplicate = await admin.request('mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku: product.sku, name: 'Copy', price: '3.00', stock: 1 },
    });
    expect(codes(duplicate)).toEqual(['CONFLICT']);
  });

  it('RATE_LIMITED with retryAfterSeconds after repeated wrong passwords', async () => {
    const shopper = await signUp(api);
    const login = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
    let last = await api.request(login, { e: shopper.email, p: 'wrong-password' });
    for (let attempt = 0; attempt < 10 && codes(last)[0] !== 'RATE_LIMITED'; attempt += 1) {
      last = await api.request(login, { e: shopper.email, p: 'wrong-password' });
    }
    expect(codes(last)).toEqual(['RATE_LIMITED']);
    const retryAfter = last.errors?.[0].extensions?.retryAfterSeconds;
    expect(typeof retryAfter).toBe('number');
    expect(retryAfter).toBeGreaterThan(0);
    // while limited even the right password is refused
    expect(codes(await api.request(login, { e: shopper.email, p: 'correct-horse-1' }))).toEqual(['RATE_LIMITED']);
  });

  it('ignores identity headers sent by a client', async () => {
    const shopper = await signUp(api);
    const forged = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-storegraph-identity': 'forged.header' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await forged.json()).toEqual({ data: { me: null } });
    void shopper;
  });
});
