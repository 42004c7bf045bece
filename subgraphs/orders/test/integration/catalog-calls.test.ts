import type { CatalogProduct, ProductCatalog } from '../../src/services/product-catalog';
import {
  actor, addToCart, CART_FIELDS, CHECKOUT, createProduct, ok, startHarness, startWrappedOrders, type Harness, type WrappedOrders,
} from '../support/harness';

/** The real HTTP adapter, counted: not a mock, the catalog still answers every call. */
class CountingCatalog implements ProductCatalog {
  calls: string[][] = [];
  constructor(private readonly inner: ProductCatalog) {}
  getProducts(ids: string[]): Promise<Map<string, CatalogProduct>> {
    this.calls.push(ids);
    return this.inner.getProducts(ids);
  }
}

let h: Harness;
let counted: WrappedOrders<CountingCatalog>;
let url: string;
let catalog: CountingCatalog;

beforeAll(async () => {
  h = await startHarness();
  counted = await startWrappedOrders(h, (real) => new CountingCatalog(real));
  ({ url, catalog } = counted);
});
afterAll(async () => {
  await counted?.stop();
  await h?.stop();
});

describe('catalog calls', () => {
  it('prices a cart of several products with one catalog call per request', async () => {
    const me = actor(h.secret);
    const ids = [await createProduct(h, '1.00'), await createProduct(h, '2.00'), await createProduct(h, '3.00')];
    for (const id of ids) await addToCart(h, me, id, 1);
    catalog.calls = [];
    const data = await ok<{ cart: { subtotal: { amount: string } } }>(url, `{ cart { ${CART_FIELDS} } }`, {}, me);
    expect(data.cart.subtotal.amount).toBe('6.00');
    expect(catalog.calls).toHaveLength(1);
    expect([...catalog.calls[0]].sort()).toEqual([...ids].sort());

    // addToCart checks the product and prices the returned cart: still one call.
    catalog.calls = [];
    await ok(url, `mutation($p: ID!) { addToCart(productId: $p, quantity: 1) { ${CART_FIELDS} } }`, { p: ids[0] }, me);
    expect(catalog.calls).toHaveLength(1);

    catalog.calls = [];
    await ok(url, CHECKOUT, { input: { paymentToken: 'tok_visa' } }, me);
    expect(catalog.calls).toHaveLength(1);
  });
});
