import type { MigrationObject } from '@mikro-orm/core';
import { CreateOrders0001 } from './0001-create-orders';
import { OrderSaga0002 } from './0002-order-saga';
import { ShippingAndFulfilment0003 } from './0003-shipping-and-fulfilment';
import { Coupons0004 } from './0004-coupons';
import { OpenOrdersIndex0006 } from './0006-open-orders-index';
import { DefaultAddressReplica0007 } from './0007-default-address-replica';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: MigrationObject[] = [
  { name: '0001-create-orders', class: CreateOrders0001 },
  { name: '0002-order-saga', class: OrderSaga0002 },
  { name: '0003-shipping-and-fulfilment', class: ShippingAndFulfilment0003 },
  { name: '0004-coupons', class: Coupons0004 },
  { name: '0006-open-orders-index', class: OpenOrdersIndex0006 },
  { name: '0007-default-address-replica', class: DefaultAddressReplica0007 },
];
