import { uuidv7 } from '@storegraph/common';
import { codes } from '@storegraph/common/testing';
import { actor, addToCart, CART_FIELDS, gql, ok, setPrice, startHarness, createProduct, type CartShape, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const CART = `{ cart { ${CART_FIELDS} } }`;
const UPDATE = `mutation($p: ID!, $q: Int!) { updateCartItem(productId: $p, quantity: $q) { ${CART_FIELDS} } }`;
const REMOVE = `mutation($p: ID!) { removeFromCart(productId: $p) { ${CART_FIELDS} } }`;
const ADD = `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { ${CART_FIELDS} } }`;

describe('cart', () => {
  it('starts empty, adds, merges repeated adds into one line, keeps insertion order', async () => {
    const me = actor(h.secret);
    const [a, b] = [await createProduct(h, '2.50'), await createProduct(h, '10.00')];
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart).toEqual({
      items: [],
      subtotal: { amount: '0.00', currency: 'USD' },
    });
    await addToCart(h, me, a, 1);
    await addToCart(h, me, b, 1);
    const cart = await addToCart(h, me, a, 2);
    expect(cart).toEqual({
      items: [
        { product: { id: a }, quantity: 3 },
        { product: { id: b }, quantity: 1 },
      ],
      subtotal: { amount: '17.50', currency: 'USD' },
    });
  });

  it('updateCartItem sets the quantity, creates a missing line, and 0 removes it; removeFromCart removes', async () => {
    const me = actor(h.secret);
    const [a, b] = [await createProduct(h, '1.00'), await createProduct(h, '3.00')];
    await addToCart(h, me, a, 5);
    let res = await ok<{ updateCartItem: CartShape }>(h.ordersUrl, UPDATE, { p: a, q: 2 }, me);
    expect(res.updateCartItem.items).toEqual([{ product: { id: a }, quantity: 2 }]);
    res = await ok(h.ordersUrl, UPDATE, { p: b, q: 4 }, me);
    expect(res.updateCartItem).toEqual({
      items: [
        { product: { id: a }, quantity: 2 },
        { product: { id: b }, quantity: 4 },
      ],
      subtotal: { amount: '14.00', currency: 'USD' },
    });
    res = await ok(h.ordersUrl, UPDATE, { p: a, q: 0 }, me);
    expect(res.updateCartItem.items).toEqual([{ product: { id: b }, quantity: 4 }]);
    const removed = await ok<{ removeFromCart: CartShape }>(h.ordersUrl, REMOVE, { p: b }, me);
    expect(removed.removeFromCart).toEqual({ items: [], subtotal: { amount: '0.00', currency: 'USD' } });
  });

  it('prices the subtotal at the current catalog price', async () => {
    const me = actor(h.secret);
    const a = await createProduct(h, '4.00');
    await addToCart(h, me, a, 3);
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart.subtotal.amount).toBe('12.00');
    await setPrice(h, a, '5.25');
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart.subtotal.amount).toBe('15.75');
  });

  it('keeps carts apart per user', async () => {
    const [me, other] = [actor(h.secret), actor(h.secret)];
    const a = await createProduct(h, '1.00');
    await addToCart(h, me, a, 1);
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, other)).cart.items).toEqual([]);
  });

  it('refuses unknown products with NOT_FOUND', async () => {
    const me = actor(h.secret);
    expect(codes(await gql(h.ordersUrl, ADD, { p: uuidv7(), q: 1 }, me))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, ADD, { p: 'not-a-uuid', q: 1 }, me))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.ordersUrl, UPDATE, { p: uuidv7(), q: 2 }, me))).toEqual(['NOT_FOUND']);
  });

  it('refuses bad quantities with BAD_USER_INPUT and changes nothing', async () => {
    const me = actor(h.secret);
    const a = await createProduct(h, '1.00');
    await addToCart(h, me, a, 2);
    expect(codes(await gql(h.ordersUrl, ADD, { p: a, q: 0 }, me))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(h.ordersUrl, ADD, { p: a, q: -1 }, me))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(h.ordersUrl, UPDATE, { p: a, q: -1 }, me))).toEqual(['BAD_USER_INPUT']);
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart.items).toEqual([{ product: { id: a }, quantity: 2 }]);
  });

  it('sums concurrent adds to one line instead of losing any', async () => {
    const me = actor(h.secret);
    const a = await createProduct(h, '1.00');
    await Promise.all(Array.from({ length: 8 }, () => addToCart(h, me, a, 1)));
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart.items).toEqual([{ product: { id: a }, quantity: 8 }]);
  });

  it('answers anonymous callers (no or a forged identity) with UNAUTHENTICATED', async () => {
    const a = await createProduct(h, '1.00');
    const forged = { userId: uuidv7(), headers: { 'x-storegraph-identity': actor('not-the-secret').headers['x-storegraph-identity'] } };
    for (const who of [undefined, forged]) {
      expect(codes(await gql(h.ordersUrl, CART, {}, who))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(h.ordersUrl, ADD, { p: a, q: 1 }, who))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(h.ordersUrl, UPDATE, { p: a, q: 1 }, who))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(h.ordersUrl, REMOVE, { p: a }, who))).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('archived products in carts', () => {
  const archive = (productId: string) =>
    ok(h.catalogUrl, 'mutation($id: ID!) { archiveProduct(id: $id) { id } }', { id: productId }, actor(h.secret, 'ADMIN'));

  it('addToCart and updateCartItem refuse an archived product with CONFLICT, cart unchanged', async () => {
    const me = actor(h.secret);
    const [kept, archived] = [await createProduct(h, '1.00'), await createProduct(h, '2.00')];
    await addToCart(h, me, kept, 1);
    await archive(archived);
    const refused = await gql(h.ordersUrl, ADD, { p: archived, q: 1 }, me);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors?.[0].message).toMatch(/archived/);
    expect(codes(await gql(h.ordersUrl, UPDATE, { p: archived, q: 2 }, me))).toEqual(['CONFLICT']);
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart.items).toEqual([{ product: { id: kept }, quantity: 1 }]);
  });

  it('a cart that already holds it keeps the line and its price, and can still remove it', async () => {
    const me = actor(h.secret);
    const product = await createProduct(h, '3.00');
    await addToCart(h, me, product, 2);
    await archive(product);
    expect((await ok<{ cart: CartShape }>(h.ordersUrl, CART, {}, me)).cart).toEqual({
      items: [{ product: { id: product }, quantity: 2 }],
      subtotal: { amount: '6.00', currency: 'USD' },
    });
    const removed = await ok<{ updateCartItem: CartShape }>(h.ordersUrl, UPDATE, { p: product, q: 0 }, me);
    expect(removed.updateCartItem.items).toEqual([]);
  });
});
