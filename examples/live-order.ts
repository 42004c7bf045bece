/**
 * A shopper's whole journey through the typed SDK, against a running Storegraph
 * (`npm start`): sign up, fill a cart, check out, and print every live status of the
 * order as the saga moves it on.
 *
 *   npm run example                                  uses the first products in stock
 *   ADMIN_EMAIL=... ADMIN_PASSWORD=... npm run example   creates a product first if none is in stock
 *   STOREGRAPH_URL=http://host:4000/graphql PAYMENT_TOKEN=tok_delayed npm run example
 */
import WebSocket from 'ws';
import {
  AddToCartDocument,
  CheckoutDocument,
  CreateProductDocument,
  LoginDocument,
  OrderStatusChangedDocument,
  ProductsDocument,
  RegisterDocument,
  StoregraphError,
  createStoregraphClient,
} from '@storegraph/sdk';

const url = process.env.STOREGRAPH_URL ?? 'http://localhost:4000/graphql';
const paymentToken = process.env.PAYMENT_TOKEN ?? 'tok_visa';

async function main(): Promise<void> {
  // The client keeps the session register returns, and renews it when the access token expires.
  const client = createStoregraphClient({
    url,
    webSocketImpl: WebSocket,
    onSessionEnded: (reason) => console.log(`session ended (${reason}): sign in again`),
  });
  try {
    let { products } = await client.request(ProductsDocument, { first: 2, filter: { inStock: true } });
    if (products.edges.length === 0) await stockAProduct(url);
    ({ products } = await client.request(ProductsDocument, { first: 2, filter: { inStock: true } }));
    if (products.edges.length === 0) throw new Error('No product in stock: set ADMIN_EMAIL/ADMIN_PASSWORD to create one');

    const email = `shopper-${Date.now()}@example.com`;
    const { register } = await client.request(RegisterDocument, { input: { email, password: 'example-password', name: 'Example Shopper' } });
    console.log(`signed up as ${register.user.email}`);

    for (const { node } of products.edges) {
      const { addToCart } = await client.request(AddToCartDocument, { productId: node.id, quantity: 1 });
      console.log(`added ${node.name} (${node.price.amount} ${node.price.currency}); cart subtotal ${addToCart.subtotal.amount}`);
    }
    const { checkout } = await client.request(CheckoutDocument, { input: { paymentToken, idempotencyKey: `example-${Date.now()}` } });
    console.log(`placed order ${checkout.id}: ${checkout.status}, total ${checkout.total.amount} ${checkout.total.currency}`);

    for await (const { orderStatusChanged: order } of client.subscribe(OrderStatusChangedDocument, { orderId: checkout.id })) {
      const payment = order.payment ? `, payment ${order.payment.status}` : '';
      const reason = order.failureReason ? ` (${order.failureReason})` : '';
      console.log(`live: ${order.status}${reason}${payment}`);
      // CONFIRMED is as far as a happy order goes on its own (it could still be cancelled).
      if (order.status === 'CONFIRMED') break;
    }
  } catch (error) {
    if (error instanceof StoregraphError) console.error(`failed: ${error.code ?? ''} ${error.message}`);
    else throw error;
    process.exitCode = 1;
  } finally {
    await client.dispose();
  }
}

/** With admin credentials, puts one product on sale so the example has something to buy. */
async function stockAProduct(gatewayUrl: string): Promise<void> {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) return;
  const admin = createStoregraphClient({ url: gatewayUrl });
  await admin.request(LoginDocument, { email, password });
  await admin.request(CreateProductDocument, {
    input: { sku: `EXAMPLE-${Date.now()}`, name: 'Example teapot', description: 'Cast iron', price: '24.90', stock: 50 },
  });
  await admin.dispose();
}

void main();
