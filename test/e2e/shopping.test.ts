import {
  AddToCartDocument,
  ArchiveProductDocument,
  CartDocument,
  CheckoutDocument,
  CreateCategoryDocument,
  MeDocument,
  OrderDocument,
  ProductsDocument,
  StockMovementsDocument,
} from '@storegraph/sdk';
import { startShop, type Stack } from './support/stack';
import { addToCart, checkout, createProduct, errorCodes, signUp, type StoregraphClient } from './support/client';
import { waitForSettled } from './support/invariants';

/** An ISO-8601 UTC timestamp, as the contract's DateTime promises. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/**
 * The client's view of a purchase: sign up, browse, fill the cart, check out, and read
 * the confirmed order back with fields owned by all four subgraphs.
 */
describe('shopping through the gateway', () => {
  let stack: Stack;
  let api: StoregraphClient;
  let admin: StoregraphClient;

  beforeAll(async () => {
    ({ stack, api, admin } = await startShop());
  });

  afterAll(() => stack?.stop());

  it('places an order priced by the catalog and reads it back across every subgraph', async () => {
    const shopper = await signUp(api, 'Ada');
    const { createCategory: category } = await admin.request(CreateCategoryDocument, {
      input: { name: 'Teapots', slug: `teapots-${Date.now()}` },
    });
    const images = [{ url: 'https://cdn.example.com/teapot-front.jpg', alt: 'Teapot, front' }, { url: 'https://cdn.example.com/teapot-lid.jpg' }];
    const teapot = await createProduct(admin, { price: '19.9', stock: 10, name: 'Cast iron teapot', categoryId: category.id, images });
    const cups = await createProduct(admin, { price: '4.25', stock: 3, name: 'Cup' });
    const teapotView = {
      id: teapot.id,
      sku: teapot.sku,
      name: 'Cast iron teapot',
      description: '',
      price: { amount: '19.90', currency: 'USD' },
      category: { id: category.id, name: 'Teapots', slug: category.slug },
      stock: 10,
      createdAt: expect.stringMatching(ISO_TIME),
      images: [
        { url: 'https://cdn.example.com/teapot-front.jpg', alt: 'Teapot, front' },
        { url: 'https://cdn.example.com/teapot-lid.jpg', alt: '' },
      ],
      rating: { average: null, count: 0 },
    };
    const cupView = {
      ...teapotView,
      id: cups.id,
      sku: cups.sku,
      name: 'Cup',
      price: { amount: '4.25', currency: 'USD' },
      category: null,
      stock: 3,
      images: [],
    };

    await addToCart(shopper.client, teapot.id, 1);
    await addToCart(shopper.client, cups.id, 2);
    await addToCart(shopper.client, teapot.id, 1);

    const { cart } = await shopper.client.request(CartDocument);
    expect(cart).toEqual({
      items: [
        { quantity: 2, product: teapotView },
        { quantity: 2, product: cupView },
      ],
      subtotal: { amount: '48.30', currency: 'USD' },
      coupon: null,
      discount: { amount: '0.00', currency: 'USD' },
      total: { amount: '48.30', currency: 'USD' },
    });

    const { checkout: placed } = await shopper.client.request(CheckoutDocument, { input: { paymentToken: 'tok_visa' } });
    expect(placed.status).toBe('PENDING');
    const orderId = placed.id;
    await waitForSettled(stack, [orderId]);
    const { order } = await shopper.client.request(OrderDocument, { id: orderId });
    const expectedOrder = {
      id: orderId,
      status: 'CONFIRMED',
      failureReason: null,
      createdAt: expect.stringMatching(ISO_TIME),
      subtotal: { amount: '48.30', currency: 'USD' },
      discount: { amount: '0.00', currency: 'USD' },
      coupon: null,
      total: { amount: '48.30', currency: 'USD' },
      statusHistory: ['PENDING', 'RESERVED', 'CONFIRMED'].map((status) => ({ status, at: expect.stringMatching(ISO_TIME) })),
      items: [
        { quantity: 2, unitPrice: { amount: '19.90', currency: 'USD' }, product: { ...teapotView, stock: 8 } },
        { quantity: 2, unitPrice: { amount: '4.25', currency: 'USD' }, product: { ...cupView, stock: 1 } },
      ],
      payment: {
        id: expect.any(String),
        order: { id: orderId },
        status: 'CAPTURED',
        amount: { amount: '48.30', currency: 'USD' },
        failureReason: null,
        createdAt: expect.stringMatching(ISO_TIME),
      },
      user: { id: shopper.userId, email: shopper.email, name: 'Ada', role: 'CUSTOMER', createdAt: expect.stringMatching(ISO_TIME) },
      // No address book, none given: nothing to ship to yet; not shipped.
      shippingAddress: null,
      shipment: null,
    };
    expect(order).toEqual(expectedOrder);

    const { cart: emptied } = await shopper.client.request(CartDocument);
    expect(emptied).toEqual({
      items: [],
      subtotal: { amount: '0.00', currency: 'USD' },
      coupon: null,
      discount: { amount: '0.00', currency: 'USD' },
      total: { amount: '0.00', currency: 'USD' },
    });

    const { me } = await shopper.client.request(MeDocument, { ordersFirst: 5 });
    expect(me).toEqual({
      ...expectedOrder.user,
      orders: {
        totalCount: 1,
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        edges: [{ cursor: expect.any(String), node: expectedOrder }],
      },
    });
  });

  it('shows an order to its owner and ADMIN only', async () => {
    const owner = await signUp(api);
    const stranger = await signUp(api);
    const product = await createProduct(admin, { price: '1.00', stock: 5 });
    await addToCart(owner.client, product.id, 1);
    const orderId = await checkout(owner.client);

    expect(await stranger.client.request(OrderDocument, { id: orderId })).toEqual({ order: null });
    expect(await api.request(OrderDocument, { id: orderId })).toEqual({ order: null });
    const { order } = await admin.request(OrderDocument, { id: orderId });
    expect({ id: order?.id, user: order?.user.id }).toEqual({ id: orderId, user: owner.userId });
  });

  it('an archived product stays on past orders and carts, leaves the listing, and carts refuse more of it', async () => {
    const shopper = await signUp(api);
    const other = await signUp(api);
    const product = await createProduct(admin, { price: '4.00', stock: 10 });
    await addToCart(shopper.client, product.id, 3);
    const orderId = await checkout(shopper.client);
    await waitForSettled(stack, [orderId]);
    await addToCart(other.client, product.id, 1);

    const { archiveProduct } = await admin.request(ArchiveProductDocument, { id: product.id });
    expect({ id: archiveProduct.id, archived: archiveProduct.archived }).toEqual({ id: product.id, archived: true });

    const { order } = await shopper.client.request(OrderDocument, { id: orderId });
    expect(order?.items.map((item) => ({ id: item.product?.id, name: item.product?.name, quantity: item.quantity }))).toEqual([
      { id: product.id, name: product.name, quantity: 3 },
    ]);
    const { cart } = await other.client.request(CartDocument);
    expect(cart.items.map((item) => item.product?.id)).toEqual([product.id]);
    expect(await errorCodes(shopper.client.request(AddToCartDocument, { productId: product.id, quantity: 1 }))).toEqual(['CONFLICT']);
    const { products } = await api.request(ProductsDocument, { first: 100, filter: { search: product.name } });
    expect(products.edges.map((edge) => edge.node.id)).not.toContain(product.id);

    // The sale is in the product's history, behind the order.
    const { stockMovements } = await admin.request(StockMovementsDocument, { productId: product.id });
    expect(stockMovements.edges.map(({ node }) => [node.reason, node.delta, node.onHand, node.orderId])).toEqual([
      ['SALE', -3, 7, orderId],
      ['RESTOCK', 10, 10, null],
    ]);
    expect(await errorCodes(shopper.client.request(StockMovementsDocument, { productId: product.id }))).toEqual(['FORBIDDEN']);
  });

  it('serves /health and /ready', async () => {
    const base = stack.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });
});
