import { CartItem } from './cart-item.entity';
import { Order } from './order.entity';
import { OrderItem } from './order-item.entity';

export { CartItem, Order, OrderItem };
export { OrderFailureReason, OrderStatus } from './order-status.enum';
export type { StatusHistoryEntry, StoredShippingAddress } from './order.entity';

/** Passed to openDatabase as classes: no folder discovery, same code compiled and under jest. */
export const entities = [CartItem, Order, OrderItem];
