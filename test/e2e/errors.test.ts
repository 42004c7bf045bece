import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { EnvReader, JWT_AUDIENCE, JWT_ISSUER, readKeyMaterial } from '@storegraph/common';
import { unique } from '@storegraph/common/testing';
import {
  AddToCartDocument,
  CancelOrderDocument,
  CartDocument,
  CheckoutDocument,
  createStoregraphClient,
  CreateProductDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  ProductsDocument,
  RefreshTokenDocument,
  RegisterDocument,
  SetStockDocument,
  UserDocument,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { connect, createProduct, errorCodes, failure, signUp, type StoregraphClient } from './support/client';

/** Every contract error code this part of the API can produce, as a client receives it. */
describe('contract errors through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    // The store's own limits, not the suite's raised ones: RATE_LIMITED below is the real default.
    ({ stack, api, admin } = await startShop({ env: { RATE_LIMIT_MULTIPLIER: '1' } }));
  });

  afterAll(() => stack?.stop());

  describe('UNAUTHENTICATED', () => {
    it('without a token where one is needed', async () => {
      expect(await errorCodes(api.request(CartDocument))).toEqual(['UNAUTHENTICATED']);
    });

    it('with a garbage token', async () => {
      expect(await errorCodes(connect(stack.url, 'not-a-jwt').request(CartDocument))).toEqual(['UNAUTHENTICATED']);
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
      expect(await errorCodes(connect(stack.url, expired).request(CartDocument))).toEqual(['UNAUTHENTICATED']);
    });

    it('with a token revoked by logout', async () => {
      const shopper = await signUp(api);
      await shopper.client.request(CartDocument);
      await shopper.client.request(LogoutDocument, { refreshToken: shopper.refreshToken });
      expect(await errorCodes(shopper.client.request(CartDocument))).toEqual(['UNAUTHENTICATED']);
      expect(await errorCodes(api.request(RefreshTokenDocument, { refreshToken: shopper.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    });

    it('for a wrong password and an unknown email', async () => {
      const shopper = await signUp(api);
      expect(await errorCodes(api.request(LoginDocument, { email: shopper.email, password: 'wrong-password' }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      const nobody = `${unique('nobody')}@storegraph.test`;
      expect(await errorCodes(api.request(LoginDocument, { email: nobody, password: 'whatever-1' }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  it('FORBIDDEN for a customer calling an ADMIN mutation, which changes nothing', async () => {
    const shopper = await signUp(api);
    const sku = unique('SKU');
    const create = shopper.client.request(CreateProductDocument, { input: { sku, name: 'Nope', price: '1.00', stock: 1 } });
    expect(await errorCodes(create)).toEqual(['FORBIDDEN']);
    expect(await errorCodes(shopper.client.request(UserDocument, { id: shopper.userId }))).toEqual(['FORBIDDEN']);
    const { products } = await api.request(ProductsDocument, { filter: { search: sku } });
    expect(products.totalCount).toBe(0);
  });

  describe('BAD_USER_INPUT', () => {
    it('for a bad email and a short password', async () => {
      const register = (email: string, password: string) => api.request(RegisterDocument, { input: { email, password, name: 'A' } });
      expect(await errorCodes(register('not-an-email', 'long-enough-1'))).toEqual(['BAD_USER_INPUT']);
      const email = `${unique('short')}@storegraph.test`;
      expect(await errorCodes(register(email, 'short'))).toEqual(['BAD_USER_INPUT']);
      // refused: the email is still free
      expect(await errorCodes(register(email, 'long-enough-1'))).toEqual([]);
    });

    it('for a negative price or stock', async () => {
      const create = (price: string, stock: number) =>
        admin.request(CreateProductDocument, { input: { sku: unique('SKU'), name: 'X', price, stock } });
      expect(await errorCodes(create('-1.00', 1))).toEqual(['BAD_USER_INPUT']);
      expect(await errorCodes(create('1.00', -1))).toEqual(['BAD_USER_INPUT']);
      const product = await createProduct(admin, { price: '2.00', stock: 2 });
      expect(await errorCodes(admin.request(SetStockDocument, { productId: product.id, quantity: -5 }))).toEqual(['BAD_USER_INPUT']);
    });

    it('for first > 100', async () => {
      expect(await errorCodes(api.request(ProductsDocument, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    });

    it('for a quantity < 1 and an empty cart', async () => {
      const shopper = await signUp(api);
      const product = await createProduct(admin, { price: '2.00', stock: 2 });
      expect(await errorCodes(shopper.client.request(AddToCartDocument, { productId: product.id, quantity: 0 }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      const checkout = shopper.client.request(CheckoutDocument, { input: { paymentToken: 'tok_visa' } });
      expect(await errorCodes(checkout)).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('NOT_FOUND for a product or order that does not exist', async () => {
    const shopper = await signUp(api);
    expect(await errorCodes(shopper.client.request(AddToCartDocument, { productId: randomUUID(), quantity: 1 }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(await errorCodes(shopper.client.request(CancelOrderDocument, { id: randomUUID() }))).toEqual(['NOT_FOUND']);
  });

  it('CONFLICT for a duplicate email or SKU', async () => {
    const shopper = await signUp(api);
    const again = api.request(RegisterDocument, {
      input: { email: shopper.email.toUpperCase(), password: 'another-pass-1', name: 'Twin' },
    });
    expect(await errorCodes(again)).toEqual(['CONFLICT']);
    const product = await createProduct(admin, { price: '3.00', stock: 1 });
    const duplicate = admin.request(CreateProductDocument, { input: { sku: product.sku, name: 'Copy', price: '3.00', stock: 1 } });
    expect(await errorCodes(duplicate)).toEqual(['CONFLICT']);
  });

  it('RATE_LIMITED with retryAfterSeconds after repeated wrong passwords', async () => {
    const shopper = await signUp(api);
    const wrong = () => failure(api.request(LoginDocument, { email: shopper.email, password: 'wrong-password' }));
    let last = await wrong();
    for (let attempt = 0; attempt < 10 && last.code !== 'RATE_LIMITED'; attempt += 1) last = await wrong();
    expect(last.codes).toEqual(['RATE_LIMITED']);
    expect(last.retryAfterSeconds).toBeGreaterThan(0);
    // while limited even the right password is refused
    expect(await errorCodes(api.request(LoginDocument, { email: shopper.email, password: 'correct-horse-1' }))).toEqual([
      'RATE_LIMITED',
    ]);
  });

  it('ignores identity headers sent by a client', async () => {
    const forger = createStoregraphClient({ url: stack.url, headers: { 'x-storegraph-identity': 'forged.header' } });
    expect(await forger.request(MeDocument)).toEqual({ me: null });
  });
});
